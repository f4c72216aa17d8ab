// The users sharing a device, IP, payment account or address with one of the users $ids,
// over identifiers of at most $max_users users (those with more were skipped by detection
// before the users $ids wrote to them and still are). An incremental run reads them. Users
// of payment accounts and addresses are counted by the orders' user_id, as in shared_*.cypher.
UNWIND $ids AS id
MATCH (t:User {id: id})
CALL (t) {
  MATCH (t)-[:USED]->(d:Device)
  WHERE COUNT { (d)<-[:USED]-() } <= $max_users
  MATCH (d)<-[:USED]-(u:User)
  RETURN u.id AS user
  UNION
  MATCH (t)-[:SEEN_AT]->(ip:IP)
  WHERE COUNT { (ip)<-[:SEEN_AT]-() } <= $max_users
  MATCH (ip)<-[:SEEN_AT]-(u:User)
  RETURN u.id AS user
  UNION
  MATCH (t)-[:PLACED]->(:Order)-[:PAID_WITH]->(pa:PaymentAccount)
  WITH DISTINCT pa
  WITH COLLECT { MATCH (pa)<-[:PAID_WITH]-(o:Order) RETURN DISTINCT o.user_id } AS users
  WHERE size(users) <= $max_users
  UNWIND users AS user
  RETURN user
  UNION
  MATCH (t)-[:PLACED]->(:Order)-[:SHIPS_TO]->(a:Address)
  WITH DISTINCT a
  WITH COLLECT { MATCH (a)<-[:SHIPS_TO]-(o:Order) RETURN DISTINCT o.user_id } AS users
  WHERE size(users) <= $max_users
  UNWIND users AS user
  RETURN user
}
RETURN collect(DISTINCT user) AS rows
