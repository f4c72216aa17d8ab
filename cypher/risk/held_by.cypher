// The rebates held by the holder $hold_by (a ring id, or signals:<user id>).
MATCH (rb:Rebate {status: 'held'})
WHERE rb.hold_by = $hold_by
RETURN rb.id AS rebate_id, rb.held_from AS held_from, rb.held_reason AS held_reason, rb.amount_cents AS amount_cents,
       rb.kind AS kind, rb.beneficiary AS beneficiary
