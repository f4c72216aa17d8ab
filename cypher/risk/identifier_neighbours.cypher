// The users sharing a device, IP, payment account or address with one of the users $ids,
// over identifiers of at most $max_users users (those with more were skipped by detection
// before the users $ids wrote to them and still are). An incremental run reads them.
UNWIND $ids AS id
MATCH (t:User {id: id})
CALL (t) {
  MATCH (t)-[:USED]->(d:Device)
  WHERE COUNT { (d)<-[:USED]-() } <= $max_users
  MATCH (d)<-[:USED]-(u:User)
  RETURN u
  UNION
  MATCH (t)-[:SEEN_AT]->(ip:IP)
  WHERE COUNT { (ip)<-[:SEEN_AT]-() } <= $max_users
  MATCH (ip)<-[:SEEN_AT]-(u:User)
  RETURN u
  UNION
  MATCH (t)-[:PLACED]->(:Order)-[:PAID_WITH]->(pa:PaymentAccount)
  WITH DISTINCT pa
  WITH pa, COLLECT { MATCH (pa)<-[:PAID_WITH]-(:Order)<-[:PLACED]-(v:User) RETURN DISTINCT v } AS us
  WHERE size(us) <= $max_users
  UNWIND us AS u
  RETURN u
  UNION
  MATCH (t)-[:PLACED]->(:Order)-[:SHIPS_TO]->(a:Address)
  WITH DISTINCT a
  WITH a, COLLECT { MATCH (a)<-[:SHIPS_TO]-(:Order)<-[:PLACED]-(v:User) RETURN DISTINCT v } AS us
  WHERE size(us) <= $max_users
  UNWIND us AS u
  RETURN u
}
RETURN collect(DISTINCT u.id) AS rows
