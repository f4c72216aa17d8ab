// Up to $limit confirmed rebates due as of $as_of (T+N: their own settlement delay, stored from
// their rule at creation, else $delay_days, after confirmation), only those of $ids unless it
// is null. Ordered by id.
MATCH (rb:Rebate {status: 'confirmed'})
WITH rb, rb.confirmed_at + duration({days: coalesce(rb.settlement_delay_days, $delay_days)}) AS due
WHERE due <= $as_of AND ($ids IS NULL OR rb.id IN $ids)
RETURN rb.id AS rebate_id, rb.amount_cents AS amount_cents, rb.kind AS kind,
       rb.beneficiary AS beneficiary, toString(due) AS due
ORDER BY rb.id
LIMIT $limit
