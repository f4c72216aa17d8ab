// Sets amount, status and reason of the rebates of $rows {rebate_id, amount_cents, status,
// reason} after a refund (a held one keeps risk_hold; held_reason takes it). Returns adjusted.
UNWIND $rows AS r
MATCH (rb:Rebate {id: r.rebate_id})
WITH rb, r, rb.status = 'held' AND r.status = 'held' AS still_held
SET rb.amount_cents = r.amount_cents, rb.status = r.status,
    rb.reason = CASE WHEN still_held THEN rb.reason ELSE r.reason END,
    rb.held_reason = CASE WHEN still_held THEN r.reason ELSE rb.held_reason END
RETURN count(rb) AS adjusted
