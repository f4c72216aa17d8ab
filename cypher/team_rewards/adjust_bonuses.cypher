// Sets amount, status and reason of the team bonuses of $rows {rebate_id, amount_cents,
// status, reason} lowered at $at (adjusted_at: the ROI fold redoes their day); a held one
// keeps risk_hold and held_reason takes the reason. Returns adjusted.
UNWIND $rows AS r
MATCH (rb:Rebate {id: r.rebate_id})
WITH rb, r, rb.status = 'held' AND r.status = 'held' AS still_held
SET rb.amount_cents = r.amount_cents, rb.status = r.status,
    rb.reason = CASE WHEN still_held THEN rb.reason ELSE r.reason END,
    rb.held_reason = CASE WHEN still_held THEN r.reason ELSE rb.held_reason END,
    rb.adjusted_at = datetime($at)
RETURN count(rb) AS adjusted
