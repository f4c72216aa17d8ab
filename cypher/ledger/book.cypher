// Books ledger transactions $txns [{id, type, kind, at, rebate_id, memo, legs: [{user_id,
// bucket, amount}]}]: a LedgerTxn with one LedgerEntry per leg. A transaction whose id is
// already stored is skipped whole (idempotent). Returns how many were booked now.
UNWIND $txns AS t
MERGE (x:LedgerTxn {id: t.id})
  ON CREATE SET x.type = t.type, x.kind = t.kind, x.at = datetime(t.at),
                x.rebate_id = t.rebate_id, x.memo = t.memo, x.created_tx = $token
WITH t, x WHERE x.created_tx = $token
REMOVE x.created_tx
WITH t, x
CALL (t, x) {
  UNWIND t.legs AS leg
  CREATE (x)-[:HAS]->(:LedgerEntry {txn_id: t.id, type: t.type, kind: t.kind,
          user_id: leg.user_id, bucket: leg.bucket, amount_cents: leg.amount, at: x.at})
}
RETURN count(x) AS booked
