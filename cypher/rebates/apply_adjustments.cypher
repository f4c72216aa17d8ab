// Sets amount, status and reason of the rebates of $rows {rebate_id, amount_cents, status,
// reason} (after a refund; the matching ledger entries are booked in the same transaction).
// A rebate still held keeps risk_hold as its reason: the refund's reason becomes the one it
// gets back when the hold ends (held_reason).
UNWIND $rows AS r
MATCH (rb:Rebate {id: r.rebate_id})
WITH rb, r, rb.status = 'held' AND r.status = 'held' AS still_held
SET rb.amount_cents = r.amount_cents, rb.status = r.status,
    rb.reason = CASE WHEN still_held THEN rb.reason ELSE r.reason END,
    rb.held_reason = CASE WHEN still_held THEN r.reason ELSE rb.held_reason END
RETURN count(rb) AS adjusted
