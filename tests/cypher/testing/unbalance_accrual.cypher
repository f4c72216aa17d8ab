// Test support: adds $cents to the target leg of the accrual held on order
// $order_id's tier-1 rebate, so the ledger check must find it unbalanced; a second call with
// -1 puts it back.
MATCH (:Order {id: $order_id})-[:EARNS]->(rb:Rebate {tier: 1})
SET rb.ledger_amounts = [rb.ledger_amounts[0], rb.ledger_amounts[1] + $cents]
RETURN rb.ledger_amounts AS amounts
