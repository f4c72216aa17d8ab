// The identifiers that can link users in detection: devices, IPs, payment accounts and
// addresses used by $min_users..$max_users users, each with its users' ids. Only these
// users are read for detection; anyone else shares nothing that weighs.
CALL () {
  MATCH (d:Device)
  WHERE COUNT { (d)<-[:USED]-() } >= $min_users AND COUNT { (d)<-[:USED]-() } <= $max_users
  RETURN 'device' AS kind, d.id AS ident, COLLECT { MATCH (d)<-[:USED]-(u:User) RETURN u.id } AS users
  UNION ALL
  MATCH (ip:IP)
  WHERE COUNT { (ip)<-[:SEEN_AT]-() } >= $min_users AND COUNT { (ip)<-[:SEEN_AT]-() } <= $max_users
  RETURN 'ip' AS kind, ip.addr AS ident, COLLECT { MATCH (ip)<-[:SEEN_AT]-(u:User) RETURN u.id } AS users
  UNION ALL
  MATCH (pa:PaymentAccount)
  WHERE COUNT { (pa)<-[:PAID_WITH]-() } >= $min_users
  WITH pa, COLLECT { MATCH (pa)<-[:PAID_WITH]-(:Order)<-[:PLACED]-(u:User) RETURN DISTINCT u.id } AS users
  WHERE size(users) >= $min_users AND size(users) <= $max_users
  RETURN 'payment_account' AS kind, pa.id AS ident, users
  UNION ALL
  MATCH (a:Address)
  WHERE COUNT { (a)<-[:SHIPS_TO]-() } >= $min_users
  WITH a, COLLECT { MATCH (a)<-[:SHIPS_TO]-(:Order)<-[:PLACED]-(u:User) RETURN DISTINCT u.id } AS users
  WHERE size(users) >= $min_users AND size(users) <= $max_users
  RETURN 'address' AS kind, a.id AS ident, users
}
RETURN kind, ident, users
