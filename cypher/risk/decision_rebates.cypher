// The rebates $ids as a decision reads them (after risk.lock_member_rebates): status, hold,
// amount, kind and beneficiary.
UNWIND $ids AS id
MATCH (rb:Rebate {id: id})
RETURN rb.id AS rebate_id, rb.status AS status, rb.hold_by AS hold_by,
       rb.held_from AS held_from, rb.held_reason AS held_reason,
       rb.amount_cents AS amount_cents, rb.kind AS kind, rb.beneficiary AS beneficiary
