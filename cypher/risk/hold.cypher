// Holds the rebates of $rows {rebate_id, hold_by} still pending, confirmed or payable, at $at,
// keeping status and reason in held_from and held_reason. Returns held (their ids).
UNWIND $rows AS r
MATCH (rb:Rebate {id: r.rebate_id})
WHERE rb.status IN ['pending', 'confirmed', 'payable']
SET rb.held_from = rb.status, rb.held_reason = rb.reason, rb.status = 'held', rb.reason = 'risk_hold',
    rb.hold_by = r.hold_by, rb.held_at = datetime($at)
RETURN collect(rb.id) AS held
