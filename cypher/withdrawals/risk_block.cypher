// Why user $user_id may not withdraw: disabled, confirmed as fraud, and the statuses of its rings
// at or above $hold_score and not dismissed, or confirmed. No row for an unknown user.
MATCH (u:User {id: $user_id})
OPTIONAL MATCH (u)-[:MEMBER_OF]->(ring:Ring)
WHERE ring.status = 'confirmed' OR (ring.score >= $hold_score AND ring.status <> 'dismissed')
RETURN coalesce(u.disabled, false) AS disabled, u.risk_confirmed IS NOT NULL AS confirmed,
       collect(ring.status) AS rings
