// Voids the rebates of $rows {rebate_id, status, voided_from} still in that status (fraud
// confirmed by $holder at $at, ring_confirmed); a credited one records what was clawed back.
UNWIND $rows AS r
MATCH (rb:Rebate {id: r.rebate_id})
WHERE rb.status = r.status
SET rb.status = 'void', rb.reason = 'ring_confirmed', rb.voided_from = r.voided_from,
    rb.voided_by = $holder, rb.voided_at = datetime($at),
    rb.released_at = CASE WHEN r.status = 'held' THEN datetime($at) ELSE rb.released_at END,
    rb.clawed_back_cents = CASE WHEN r.status = 'credited' THEN rb.amount_cents
                                ELSE rb.clawed_back_cents END,
    rb.clawed_back_at = CASE WHEN r.status = 'credited' THEN datetime($at)
                             ELSE rb.clawed_back_at END
REMOVE rb.held_from, rb.held_reason
RETURN collect(rb.id) AS voided
