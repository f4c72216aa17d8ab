// Test support: rebate $rebate_id as a clawback left it (clawed_back_cents, voided_from) and
// its LedgerTxn movements, each [type, memo].
MATCH (rb:Rebate {id: $rebate_id})
OPTIONAL MATCH (x:LedgerTxn {rebate_id: rb.id})
RETURN rb.clawed_back_cents AS clawed_back_cents, rb.voided_from AS voided_from,
       collect([x.type, x.memo]) AS txns
