// Every stored ring with its status, score and current members (to keep ids stable across
// runs, and to know which held money).
MATCH (r:Ring)
OPTIONAL MATCH (u:User)-[:MEMBER_OF]->(r)
RETURN r.id AS ring_id, r.status AS status, r.score AS score, collect(u.id) AS members
