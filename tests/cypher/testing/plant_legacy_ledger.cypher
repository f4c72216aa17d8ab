// Test support: a ledger as versions before the legs moved onto their transaction wrote it,
// for user $user_id: an accrual of $cents (pool -> pending) and its confirmation
// (pending -> confirmed), each a LedgerTxn with one LedgerEntry per leg under HAS.
CREATE (a:LedgerTxn {id: $prefix + 'accrue', type: 'accrue', kind: 'cash', at: datetime($at)})
CREATE (a)-[:HAS]->(:LedgerEntry {txn_id: a.id, type: 'accrue', kind: 'cash', user_id: null,
                                  bucket: 'pool', amount_cents: -$cents, at: a.at})
CREATE (a)-[:HAS]->(:LedgerEntry {txn_id: a.id, type: 'accrue', kind: 'cash', user_id: $user_id,
                                  bucket: 'pending', amount_cents: $cents, at: a.at})
CREATE (c:LedgerTxn {id: $prefix + 'confirm', type: 'confirm', kind: 'cash', at: datetime($at)})
CREATE (c)-[:HAS]->(:LedgerEntry {txn_id: c.id, type: 'confirm', kind: 'cash', user_id: $user_id,
                                  bucket: 'pending', amount_cents: -$cents, at: c.at})
CREATE (c)-[:HAS]->(:LedgerEntry {txn_id: c.id, type: 'confirm', kind: 'cash', user_id: $user_id,
                                  bucket: 'confirmed', amount_cents: $cents, at: c.at})
RETURN count(*) AS planted
