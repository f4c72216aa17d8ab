// Team rewards and their runs, one (reward, period) each. Applied at start-up, idempotent.
CREATE CONSTRAINT team_reward_id IF NOT EXISTS FOR (n:TeamReward) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT team_reward_run_id IF NOT EXISTS FOR (n:TeamRewardRun) REQUIRE n.id IS UNIQUE;
// only team bonuses have a period: a leader's bonuses (risk holds), a month's (the ROI fold)
CREATE INDEX rebate_leader_period IF NOT EXISTS FOR (n:Rebate) ON (n.beneficiary, n.period);
CREATE INDEX rebate_period IF NOT EXISTS FOR (n:Rebate) ON (n.period);
// the ROI fold finds the team bonuses a refund or a fraud confirmation lowered
CREATE INDEX rebate_adjusted_at IF NOT EXISTS FOR (n:Rebate) ON (n.adjusted_at);
