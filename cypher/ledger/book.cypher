// Books $txns [{id, type, kind, at, rebate_id, memo, user_id, buckets, amounts}], a LedgerTxn
// each, legs on it; a stored id is skipped ($token marks new ones). Returns booked.
UNWIND $txns AS t
MERGE (x:LedgerTxn {id: t.id})
  ON CREATE SET x.type = t.type, x.kind = t.kind, x.at = datetime(t.at),
                x.rebate_id = t.rebate_id, x.memo = t.memo, x.user_id = t.user_id,
                x.buckets = t.buckets, x.amounts = t.amounts, x.created_tx = $token
WITH x WHERE x.created_tx = $token
REMOVE x.created_tx
RETURN count(x) AS booked
