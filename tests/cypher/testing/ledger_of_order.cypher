// Test support: the rebates of order $order_id with the accrual legs they hold, and how many
// LedgerTxn nodes were booked for them (a txn naming the rebate: none, since an accrual is
// held on its rebate).
MATCH (:Order {id: $order_id})-[:EARNS]->(rb:Rebate)
OPTIONAL MATCH (x:LedgerTxn) WHERE x.id ENDS WITH rb.id
RETURN rb.tier AS tier, rb.status AS status, rb.ledger_buckets AS buckets,
       rb.ledger_amounts AS amounts, count(x) AS txns
ORDER BY tier
