// Holds the rebates of $rows {rebate_id, hold_by}: status held with reason risk_hold, the
// status and reason it had kept in held_from / held_reason. A rebate that moved on meanwhile is left alone. Returns
// the ids held.
UNWIND $rows AS r
MATCH (rb:Rebate {id: r.rebate_id})
WHERE rb.status IN ['pending', 'confirmed', 'payable']
SET rb.held_from = rb.status, rb.held_reason = rb.reason, rb.status = 'held', rb.reason = 'risk_hold',
    rb.hold_by = r.hold_by, rb.held_at = datetime($at)
RETURN collect(rb.id) AS held
