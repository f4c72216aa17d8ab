// Test support: every rebate that rule $rule_id took part in paying, with its windows.
MATCH (rb:Rebate)
WHERE $rule_id IN rb.rule_ids
RETURN rb.id AS rebate_id, rb.order_id AS order_id, rb.tier AS tier,
       rb.amount_cents AS amount_cents, rb.status AS status, rb.reason AS reason,
       rb.rule_ids AS rule_ids, rb.return_window_days AS return_window_days,
       rb.settlement_delay_days AS settlement_delay_days
ORDER BY rb.id
