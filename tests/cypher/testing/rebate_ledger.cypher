// Test support: the LedgerTxn movements of rebate $rebate_id, oldest first: rows
// {id, type, kind, user_id, buckets, amounts}.
MATCH (x:LedgerTxn {rebate_id: $rebate_id})
RETURN x.id AS id, x.type AS type, x.kind AS kind, x.user_id AS user_id,
       x.buckets AS buckets, x.amounts AS amounts
ORDER BY x.at, x.id
