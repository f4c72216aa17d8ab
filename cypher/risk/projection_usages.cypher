// The identifiers of the users $ids (devices, IPs, payment accounts, addresses): a row per
// (user, identifier) with first and last use (epoch seconds) and count, as one list of
// rows (one record per page: far less for the driver to decode than a record per row).
UNWIND $ids AS id
MATCH (u:User {id: id})
CALL (u) {
  MATCH (u)-[x:USED]->(d:Device)
  RETURN 'device' AS kind, d.id AS ident, x.first_at.epochSeconds AS first_at,
         x.last_at.epochSeconds AS last_at, x.count AS count
  UNION ALL
  MATCH (u)-[x:SEEN_AT]->(ip:IP)
  RETURN 'ip' AS kind, ip.addr AS ident, x.first_at.epochSeconds AS first_at,
         x.last_at.epochSeconds AS last_at, x.count AS count
  UNION ALL
  MATCH (u)-[:PLACED]->(o:Order)-[:PAID_WITH]->(pa:PaymentAccount)
  WITH pa, min(o.paid_at) AS first, max(o.paid_at) AS last, count(o) AS n
  RETURN 'payment_account' AS kind, pa.id AS ident, first.epochSeconds AS first_at,
         last.epochSeconds AS last_at, n AS count
  UNION ALL
  MATCH (u)-[:PLACED]->(o:Order)-[:SHIPS_TO]->(a:Address)
  WITH a, min(o.paid_at) AS first, max(o.paid_at) AS last, count(o) AS n
  RETURN 'address' AS kind, a.id AS ident, first.epochSeconds AS first_at,
         last.epochSeconds AS last_at, n AS count
}
RETURN collect([u.id, kind, ident, first_at, last_at, count]) AS rows
