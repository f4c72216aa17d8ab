// Every stored ring with its status and current members (to keep ids stable across runs).
MATCH (r:Ring)
OPTIONAL MATCH (u:User)-[:MEMBER_OF]->(r)
RETURN r.id AS ring_id, r.status AS status, collect(u.id) AS members
