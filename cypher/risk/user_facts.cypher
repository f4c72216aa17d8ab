// Per user of $ids, in one row (rows): registration, shared devices, what it shares with its
// inviter, orders within $new_seconds of joining, the upline's registrations, ring decisions;
// its payment accounts paid with by $shared_others or more other accounts (up to $read_cap of
// them read) and the addresses where $shared_others or more of those accounts ship too
// (with the address's other accounts, up to $read_cap counted).
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
CALL (u) {
  // Honest buyers' cards are their own: this reads one card's orders and stops there.
  MATCH (u)-[:PLACED]->(:Order)-[:PAID_WITH]->(pa:PaymentAccount)
  WITH DISTINCT pa
  CALL (u, pa) {
    MATCH (pa)<-[:PAID_WITH]-(:Order)<-[:PLACED]-(v:User)
    WHERE v <> u
    WITH DISTINCT v LIMIT $read_cap
    RETURN collect(v) AS others
  }
  WITH pa, others WHERE size(others) >= $shared_others
  RETURN collect({id: pa.id, others: others}) AS cards
}
CALL (u, cards) {
  // Only a user with a shared card gets here: which of its addresses those accounts use too.
  UNWIND cards AS card
  UNWIND card.others AS v
  WITH u, collect(DISTINCT v) AS payers
  MATCH (u)-[:PLACED]->(:Order)-[:SHIPS_TO]->(a:Address)
  WITH DISTINCT u, a, payers
  WITH u, a, [v IN payers WHERE EXISTS { (v)-[:PLACED]->(:Order)-[:SHIPS_TO]->(a) }] AS linked
  WHERE size(linked) >= $shared_others
  CALL (u, a) {
    MATCH (a)<-[:SHIPS_TO]-(:Order)<-[:PLACED]-(w:User)
    WHERE w <> u
    WITH DISTINCT w LIMIT $read_cap
    RETURN count(w) AS accounts
  }
  RETURN collect({id: a.id, linked: [v IN linked | v.id], accounts: accounts}) AS places
}
RETURN collect({
  user_id: u.id, registered_at: u.registered_at.epochSeconds, inviter: t1.id,
  upline: [x IN [t1, t2, t3] WHERE x IS NOT NULL | x.id],
  upline_registered: [x IN [t1, t2, t3] WHERE x IS NOT NULL | x.registered_at.epochSeconds],
  devices: devices,
  shared_payment_accounts: [c IN cards | {id: c.id, others: [v IN c.others | v.id]}],
  shared_addresses: places, shared_with_inviter: shared_with_inviter, early_orders: early_orders,
  hold_ring: u.hold_ring, risk_confirmed: u.risk_confirmed, risk_cleared: u.risk_cleared
}) AS rows
