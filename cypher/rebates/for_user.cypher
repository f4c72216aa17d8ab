// The rebates paid to $user_id (optionally only those with status $status), newest first (then
// by id), after the keyset ($after_at, $after_id) when $after_id is not null, skipping $skip and
// returning $limit: order, tier, kind, amounts, status and reason.
MATCH (rb:Rebate {beneficiary: $user_id})
WHERE ($status IS NULL OR rb.status = $status)
  AND ($after_id IS NULL OR rb.paid_at < $after_at
       OR (rb.paid_at.epochSeconds = $after_at.epochSeconds
           AND rb.paid_at.nanosecond = $after_at.nanosecond AND rb.id > $after_id))
RETURN rb.id AS rebate_id, rb.order_id AS order_id, rb.tier AS tier, rb.kind AS kind,
       rb.amount_cents AS amount_cents, rb.original_cents AS original_cents,
       rb.status AS status, rb.reason AS reason, rb.paid_at AS paid_at
ORDER BY rb.paid_at DESC, rebate_id
SKIP $skip LIMIT $limit
