// Per user of $ids, in one row (rows): registration, shared devices, what it shares with its
// inviter, orders within $new_seconds of joining, the upline's registrations, ring decisions.
UNWIND $ids AS id
MATCH (u:User {id: id})
OPTIONAL MATCH (t1:User)-[:INVITED]->(u)
OPTIONAL MATCH (t2:User)-[:INVITED]->(t1)
OPTIONAL MATCH (t3:User)-[:INVITED]->(t2)
CALL (u) {
  MATCH (u)-[:USED]->(d:Device)
  WITH d, COUNT { (d)<-[:USED]-(:User) } AS users
  WHERE users >= 2
  RETURN collect({id: d.id, users: users}) AS devices
}
CALL (u, t1) {
  OPTIONAL MATCH (u)-[:USED]->(d:Device)<-[:USED]-(t1)
  WITH collect(DISTINCT 'device:' + d.id) AS devices
  OPTIONAL MATCH (u)-[:PLACED]->(:Order)-[:PAID_WITH]->(pa:PaymentAccount)<-[:PAID_WITH]-(:Order)<-[:PLACED]-(t1)
  WITH devices, collect(DISTINCT 'payment_account:' + pa.id) AS accounts
  OPTIONAL MATCH (u)-[:PLACED]->(:Order)-[:SHIPS_TO]->(a:Address)<-[:SHIPS_TO]-(:Order)<-[:PLACED]-(t1)
  WITH devices, accounts, collect(DISTINCT 'address:' + a.id) AS addresses
  RETURN devices + accounts + addresses AS shared_with_inviter
}
CALL (u) {
  // No :Order label: with it, stale statistics led the planner to scan the paid_at index.
  MATCH (u)-[:PLACED]->(o)
  WHERE o.paid_at <= u.registered_at + duration({seconds: $new_seconds})
  RETURN collect({id: o.id, amount_cents: o.amount_cents,
                  after_seconds: duration.inSeconds(u.registered_at, o.paid_at).seconds}) AS early_orders
}
RETURN collect({
  user_id: u.id, registered_at: u.registered_at.epochSeconds, inviter: t1.id,
  upline: [x IN [t1, t2, t3] WHERE x IS NOT NULL | x.id],
  upline_registered: [x IN [t1, t2, t3] WHERE x IS NOT NULL | x.registered_at.epochSeconds],
  devices: devices, shared_with_inviter: shared_with_inviter, early_orders: early_orders,
  hold_ring: u.hold_ring, risk_confirmed: u.risk_confirmed, risk_cleared: u.risk_cleared
}) AS rows
