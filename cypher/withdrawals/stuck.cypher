// Withdrawals still processing (a transfer timed out or the process stopped mid-way) and not
// touched since $before: the reconciliation asks the gateway what became of them.
MATCH (w:Withdrawal {status: 'processing'})
WHERE w.updated_at < $before
RETURN w.id AS id
LIMIT $limit
