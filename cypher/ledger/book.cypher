// Books ledger transactions $txns [{id, type, kind, at, rebate_id, memo, user_id, buckets,
// amounts}]: one LedgerTxn per movement, its legs held on it as two parallel lists (leg i
// moves amounts[i] cents into buckets[i]; the legs sum to zero). Every movement concerns one
// user at most: user_id owns each leg whose bucket is not the mall's (pool, gateway).
// One node per movement, not one per leg: each settlement step writes a third of the records
// it wrote as a LedgerTxn with a LedgerEntry per leg (docs/design.md). A rebate's accrual is
// not booked here: rebates.create writes its legs onto the rebate. A transaction whose id is
// already stored is skipped whole (idempotent).
// Returns how many were booked now.
UNWIND $txns AS t
MERGE (x:LedgerTxn {id: t.id})
  ON CREATE SET x.type = t.type, x.kind = t.kind, x.at = datetime(t.at),
                x.rebate_id = t.rebate_id, x.memo = t.memo, x.user_id = t.user_id,
                x.buckets = t.buckets, x.amounts = t.amounts, x.created_tx = $token
WITH x WHERE x.created_tx = $token
REMOVE x.created_tx
RETURN count(x) AS booked
