// Team rewards and their runs, one (reward, period) each. Applied at start-up, idempotent.
CREATE CONSTRAINT team_reward_id IF NOT EXISTS FOR (n:TeamReward) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT team_reward_run_id IF NOT EXISTS FOR (n:TeamRewardRun) REQUIRE n.id IS UNIQUE;
