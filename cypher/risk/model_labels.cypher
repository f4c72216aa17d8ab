// Decided rings as training labels (confirmed or dismissed) with the features and rule score
// they were last stored with; rings stored before `rule_score` was kept carry it in `score`.
MATCH (ring:Ring)
WHERE ring.status IN ['confirmed', 'dismissed']
RETURN ring.id AS ring_id, ring.status = 'confirmed' AS confirmed, ring.features AS features,
       coalesce(ring.rule_score, ring.score) AS rule_score
ORDER BY ring_id
