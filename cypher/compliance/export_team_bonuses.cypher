// Up to $limit team bonuses of period $period ('YYYY-MM') with an id above $after (''), by id,
// as export rows (order_id null; paid at, and ordered by, the end of their period): rows.
MATCH (rb:Rebate)
WHERE rb.period = $period AND rb.kind = 'team_bonus' AND rb.id > $after
WITH rb ORDER BY rb.id LIMIT $limit
RETURN collect({
  order_id: null, order_paid_at: toString(rb.paid_at), paid_key: rb.paid_at, rebate_id: rb.id,
  tier: rb.tier, kind: rb.kind, amount_cents: rb.amount_cents,
  original_cents: rb.original_cents, status: rb.status, reason: rb.reason,
  beneficiary: rb.beneficiary, path: rb.path, rule_ids: rb.rule_ids,
  created_at: toString(rb.created_at)
}) AS rows
