// Cents $user_id has asked to withdraw since $since, leaving out withdrawals whose money went
// back to the user (status in $released).
MATCH (w:Withdrawal {user_id: $user_id})
WHERE w.created_at >= $since AND NOT w.status IN $released
RETURN coalesce(sum(w.amount_cents), 0) AS cents
