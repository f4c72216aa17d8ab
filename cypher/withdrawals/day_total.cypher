// Cents $user_id has asked to withdraw since $since (failed withdrawals do not count).
MATCH (:User {id: $user_id})-[:REQUESTED]->(w:Withdrawal)
WHERE w.created_at >= $since AND w.status <> 'failed'
RETURN coalesce(sum(w.amount_cents), 0) AS cents
