// The rebates of orders paid in [$from, $to), up to $limit orders after the keyset
// ($after_at, $after_id) when $after_id is not null, in payment order (paid_at, order id), as
// one row: rows, a map per rebate with the invite path it was paid along.
MATCH (o:Order)
WHERE o.paid_at >= $from AND o.paid_at < $to
  AND ($after_id IS NULL OR o.paid_at > $after_at
       // the same instant, whatever the offset it was written with
       OR (o.paid_at.epochSeconds = $after_at.epochSeconds
           AND o.paid_at.nanosecond = $after_at.nanosecond AND o.id > $after_id))
WITH o ORDER BY o.paid_at, o.id LIMIT $limit
OPTIONAL MATCH (o)-[:EARNS]->(rb:Rebate)
WITH o, rb ORDER BY o.paid_at, o.id, rb.tier, rb.kind
RETURN collect({
  order_id: o.id, order_paid_at: toString(o.paid_at), paid_key: o.paid_at, rebate_id: rb.id, tier: rb.tier,
  kind: rb.kind, amount_cents: rb.amount_cents, original_cents: rb.original_cents,
  status: rb.status, reason: rb.reason, beneficiary: rb.beneficiary, path: rb.path,
  rule_ids: rb.rule_ids, created_at: toString(rb.created_at)
}) AS rows
