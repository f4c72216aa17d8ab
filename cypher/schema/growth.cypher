// Points redemptions and expiry, the growth aggregates (leaderboards, ROI). Applied at
// start-up, idempotent.
CREATE CONSTRAINT redemption_id IF NOT EXISTS FOR (n:PointsRedemption) REQUIRE n.id IS UNIQUE;
// points expiry finds the credits that just aged past the cutoff
CREATE INDEX ledger_txn_kind_at IF NOT EXISTS FOR (n:LedgerTxn) ON (n.kind, n.at);
// the growth fold finds what was written or changed since its last run
CREATE INDEX order_received_at IF NOT EXISTS FOR (n:Order) ON (n.received_at);
CREATE INDEX user_touched_at IF NOT EXISTS FOR (n:User) ON (n.touched_at);
CREATE INDEX rebate_held_at IF NOT EXISTS FOR (n:Rebate) ON (n.held_at);
CREATE INDEX rebate_released_at IF NOT EXISTS FOR (n:Rebate) ON (n.released_at);
CREATE INDEX rebate_voided_at IF NOT EXISTS FOR (n:Rebate) ON (n.voided_at);
CREATE CONSTRAINT fold_state_id IF NOT EXISTS FOR (n:FoldState) REQUIRE n.id IS UNIQUE;
CREATE INDEX roi_day IF NOT EXISTS FOR (n:RoiDay) ON (n.key_kind, n.day);
CREATE INDEX roi_month IF NOT EXISTS FOR (n:RoiMonth) ON (n.key_kind, n.month);
CREATE INDEX invite_tally_period IF NOT EXISTS FOR (n:InviteTally) ON (n.period, n.user_id);
// a leaderboard read walks its period's tallies most invitees first, in index order
CREATE INDEX invite_tally_rank IF NOT EXISTS FOR (n:InviteTally) ON (n.period, n.invitees);
