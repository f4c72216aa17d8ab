// The status of ring $ring_id and its members (ids sorted), read after risk.lock_ring.
MATCH (ring:Ring {id: $ring_id})
OPTIONAL MATCH (u:User)-[:MEMBER_OF]->(ring)
WITH ring, u ORDER BY u.id
RETURN ring.status AS status, collect(u.id) AS members
