// Team bonuses of $reward_id (of $period unless null) by period, leader, after $after (""),
// $limit at most: rebate, leader, period, sales, orders, amounts, status, reason.
MATCH (rb:Rebate {kind: 'team_bonus'})
WHERE rb.team_reward_id = $reward_id AND ($period IS NULL OR rb.period = $period)
  AND ($after = '' OR rb.period + ':' + rb.beneficiary > $after)
RETURN rb.id AS rebate_id, rb.beneficiary AS leader, rb.period AS period,
       rb.team_sales_cents AS team_sales_cents, rb.team_orders AS team_orders,
       rb.amount_cents AS amount_cents, rb.original_cents AS original_cents,
       rb.status AS status, rb.reason AS reason
ORDER BY period, leader
LIMIT $limit
