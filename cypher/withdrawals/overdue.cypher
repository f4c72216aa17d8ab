// Withdrawals still pending_review that were requested before $before, oldest first: their
// review has expired. At most $limit ids.
MATCH (w:Withdrawal {status: 'pending_review'})
WHERE w.created_at < $before
RETURN w.id AS id
ORDER BY w.created_at, w.id
LIMIT $limit
