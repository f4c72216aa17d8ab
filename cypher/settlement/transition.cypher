// Moves the rebates of $rows {rebate_id, due} still in status $from to $to, stamping due as
// confirmed_at, payable_at or credited_at. Returns moved (their ids).
UNWIND $rows AS r
MATCH (rb:Rebate {id: r.rebate_id})
// the lock first, then the status: a decision that voided the rebate meanwhile is seen
SET rb.settle_lock = coalesce(rb.settle_lock, 0) + 1
WITH rb, r
WHERE rb.status = $from
SET rb.status = $to,
    rb.confirmed_at = CASE WHEN $to = 'confirmed' THEN datetime(r.due) ELSE rb.confirmed_at END,
    rb.payable_at = CASE WHEN $to = 'payable' THEN datetime(r.due) ELSE rb.payable_at END,
    rb.credited_at = CASE WHEN $to = 'credited' THEN datetime(r.due) ELSE rb.credited_at END
RETURN collect(rb.id) AS moved
