// Active rules configuring more tiers than $max_tiers (over: their ids), and rules_checked;
// active team rewards counting deeper (over: `team_reward:<id>`), team_rewards_checked.
// What retired ones paid is checked rebate by rebate (compliance.check_rebates).
MATCH (r:Rule {status: 'active'})
WITH count(r) AS rules_checked,
     [x IN collect(CASE WHEN size(r.tiers) > $max_tiers THEN r.id END) WHERE x IS NOT NULL] AS over
OPTIONAL MATCH (t:TeamReward {status: 'active'})
WITH rules_checked, over, count(t) AS team_rewards_checked,
     [x IN collect(CASE WHEN t.depth > $max_tiers THEN 'team_reward:' + t.id END)
      WHERE x IS NOT NULL] AS teams_over
RETURN rules_checked, team_rewards_checked, over + teams_over AS over
