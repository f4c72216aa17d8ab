// The ring a user belongs to (its latest detection), if any.
MATCH (:User {id: $user_id})-[:MEMBER_OF]->(ring:Ring)
RETURN ring.id AS ring_id, ring.score AS score, ring.status AS status
ORDER BY ring.detected_at DESC
LIMIT 1
