// In one row: hooks, the endpoints subscribed to $type {key, webhook_id}, and rows, the
// rebates $ids as they stand in the transaction (none read when no endpoint subscribes).
MATCH (h:Webhook)
WHERE $type IN h.events
WITH collect({key: h.key, webhook_id: h.id}) AS hooks
CALL (hooks) {
  UNWIND CASE WHEN size(hooks) = 0 THEN [] ELSE $ids END AS id
  MATCH (rb:Rebate {id: id})
  RETURN collect({rebate_id: rb.id, order_id: rb.order_id, beneficiary: rb.beneficiary,
                  tier: rb.tier, kind: rb.kind, amount_cents: rb.amount_cents,
                  status: rb.status, reason: rb.reason}) AS rows
}
RETURN hooks, rows
