// The costlier facts behind the signals of $user_id: invitee registrations, and per IP (seen by
// at most $max_ip_users) the accounts and orders within $burst_seconds of the user's own; per
// device used by $farm_users or more accounts, up to $evidence_accounts of the others (by id).
MATCH (u:User {id: $user_id})
CALL (u) {
  OPTIONAL MATCH (u)-[:INVITED]->(v:User)
  WITH v ORDER BY v.registered_at
  RETURN collect(v.registered_at.epochSeconds) AS invitee_times, collect(v.id) AS invitees
}
CALL (u) {
  OPTIONAL MATCH (u)-[s:SEEN_AT]->(ip:IP)
  WHERE COUNT { (ip)<-[:SEEN_AT]-() } <= $max_ip_users
  OPTIONAL MATCH (ip)<-[s2:SEEN_AT]-(v:User)
  WHERE v <> u AND abs(s2.first_at.epochSeconds - s.first_at.epochSeconds) <= $burst_seconds
  WITH ip, collect(v.id) AS near
  WHERE ip IS NOT NULL
  RETURN collect({ip: ip.addr, accounts: near}) AS ip_bursts
}
CALL (u) {
  OPTIONAL MATCH (u)-[:PLACED]->(o:Order)-[:FROM_IP]->(ip:IP)
  WHERE COUNT { (ip)<-[:SEEN_AT]-() } <= $max_ip_users
  OPTIONAL MATCH (ip)<-[:FROM_IP]-(o2:Order)<-[:PLACED]-(v:User)
  WHERE v <> u AND abs(o2.paid_at.epochSeconds - o.paid_at.epochSeconds) <= $burst_seconds
  WITH ip, collect(DISTINCT v.id) AS buyers, collect(DISTINCT o2.id) AS orders
  WHERE ip IS NOT NULL
  RETURN collect({ip: ip.addr, buyers: buyers, orders: orders}) AS order_bursts
}
CALL (u) {
  MATCH (u)-[:USED]->(d:Device)
  WHERE COUNT { (d)<-[:USED]-(:User) } >= $farm_users
  CALL (u, d) {
    MATCH (d)<-[:USED]-(v:User)
    WHERE v <> u
    WITH v ORDER BY v.id LIMIT $evidence_accounts
    RETURN collect(v.id) AS others
  }
  RETURN collect({id: d.id, others: others}) AS device_accounts
}
RETURN invitee_times, invitees, ip_bursts, order_bursts, device_accounts
