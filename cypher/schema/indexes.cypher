// Secondary indexes for the lookups that are not by id. Applied at start-up, idempotent.
CREATE INDEX order_paid_at IF NOT EXISTS FOR (n:Order) ON (n.paid_at);
CREATE INDEX order_rebates_pending IF NOT EXISTS FOR (n:Order) ON (n.rebates_computed);
CREATE INDEX rebate_status IF NOT EXISTS FOR (n:Rebate) ON (n.status);
CREATE INDEX user_registered_at IF NOT EXISTS FOR (n:User) ON (n.registered_at);
CREATE INDEX user_phone_hash IF NOT EXISTS FOR (n:User) ON (n.phone_hash);
CREATE INDEX ledger_txn_user IF NOT EXISTS FOR (n:LedgerTxn) ON (n.user_id);
CREATE INDEX rebate_beneficiary IF NOT EXISTS FOR (n:Rebate) ON (n.beneficiary);
CREATE INDEX withdrawal_status IF NOT EXISTS FOR (n:Withdrawal) ON (n.status);
CREATE INDEX withdrawal_created IF NOT EXISTS FOR (n:Withdrawal) ON (n.created_at);
CREATE INDEX withdrawal_user_created IF NOT EXISTS FOR (n:Withdrawal) ON (n.user_id, n.created_at);
CREATE INDEX withdrawal_status_created IF NOT EXISTS FOR (n:Withdrawal) ON (n.status, n.created_at);
CREATE INDEX user_hold_ring IF NOT EXISTS FOR (n:User) ON (n.hold_ring);
CREATE INDEX rebate_hold_by IF NOT EXISTS FOR (n:Rebate) ON (n.hold_by);
CREATE INDEX ring_score IF NOT EXISTS FOR (n:Ring) ON (n.score);
// Legs live on their LedgerTxn now (cypher/ledger/migrate_legs.cypher): the old per-leg index goes.
DROP INDEX ledger_entry_user IF EXISTS;
// The tier report checks what was written since its last full run by creation time.
CREATE INDEX rebate_created_at IF NOT EXISTS FOR (n:Rebate) ON (n.created_at);
CREATE INDEX invited_created_at IF NOT EXISTS FOR ()-[r:INVITED]-() ON (r.created_at);
