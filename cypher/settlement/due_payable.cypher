// Up to $limit confirmed rebates whose settlement delay ($delay_days after confirmation, T+N)
// has passed as of $as_of; due is confirmation plus the delay.
MATCH (rb:Rebate {status: 'confirmed'})
WITH rb, rb.confirmed_at + duration({days: $delay_days}) AS due
WHERE due <= $as_of
RETURN rb.id AS rebate_id, rb.amount_cents AS amount_cents, rb.kind AS kind,
       rb.beneficiary AS beneficiary, due
ORDER BY due, rebate_id
LIMIT $limit
