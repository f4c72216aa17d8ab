// The orders paid in [$start, $end) (ISO) by invited buyers, with items and rebates: rows
// {order_id, amount_cents, refunded_cents, categories, amounts, rebates}.
MATCH (o:Order) WHERE o.paid_at >= datetime($start) AND o.paid_at < datetime($end)
MATCH (buyer:User)-[:PLACED]->(o)
WHERE EXISTS { (buyer)<-[:INVITED]-(:User) }
CALL (o) {
  OPTIONAL MATCH (o)-[:EARNS]->(rb:Rebate)
  RETURN collect(rb {.tier, .kind, .amount_cents, .original_cents, .status, .rule_ids}) AS rebates
}
RETURN collect({order_id: o.id, amount_cents: o.amount_cents,
                refunded_cents: coalesce(o.refunded_cents, 0),
                categories: o.item_categories, amounts: o.item_amounts,
                rebates: rebates}) AS rows
