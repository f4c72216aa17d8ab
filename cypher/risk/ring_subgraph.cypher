// The drawable neighbourhood of ring $ring_id: users (members), shared (identifiers two
// members or more use) and invites (invite edges touching members).
MATCH (u:User)-[:MEMBER_OF]->(:Ring {id: $ring_id})
WITH collect(u) AS members
CALL (members) {
  UNWIND members AS u
  MATCH (u)-[:USED]->(d:Device)
  RETURN 'Device' AS label, d.id AS ident, collect(DISTINCT u.id) AS users
  UNION ALL
  UNWIND members AS u
  MATCH (u)-[:SEEN_AT]->(ip:IP)
  RETURN 'IP' AS label, ip.addr AS ident, collect(DISTINCT u.id) AS users
  UNION ALL
  UNWIND members AS u
  MATCH (u)-[:PLACED]->(:Order)-[:PAID_WITH]->(pa:PaymentAccount)
  RETURN 'PaymentAccount' AS label, pa.id AS ident, collect(DISTINCT u.id) AS users
  UNION ALL
  UNWIND members AS u
  MATCH (u)-[:PLACED]->(:Order)-[:SHIPS_TO]->(a:Address)
  RETURN 'Address' AS label, a.id AS ident, collect(DISTINCT u.id) AS users
}
WITH members, collect(CASE WHEN size(users) >= 2
                           THEN {label: label, id: ident, users: users} END) AS shared
CALL (members) {
  UNWIND members AS u
  MATCH (a:User)-[i:INVITED]->(b:User)
  WHERE (a = u OR b = u)
  RETURN collect(DISTINCT {source: a.id, target: b.id, at: toString(i.at)}) AS invites
}
RETURN [m IN members | {id: m.id, registered_at: toString(m.registered_at)}] AS users,
       shared, invites
