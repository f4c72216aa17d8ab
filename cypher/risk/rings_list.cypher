// Rings scoring at least $min_score, highest first, with members (ids sorted), the rule
// score beside the score, and the model version and drivers (JSON) that gave it.
MATCH (ring:Ring)
WHERE ring.score >= $min_score AND ($status IS NULL OR ring.status = $status)
WITH ring ORDER BY ring.score DESC, ring.id LIMIT $limit
OPTIONAL MATCH (u:User)-[:MEMBER_OF]->(ring)
WITH ring, u ORDER BY u.id
WITH ring, collect(u.id) AS members
RETURN ring.id AS ring_id, ring.score AS score, ring.status AS status, ring.size AS size,
       ring.reasons AS reasons, members, ring.rule_score AS rule_score,
       ring.model_version AS model_version, ring.drivers AS drivers
ORDER BY score DESC, ring_id
