// Active rules configuring more tiers than $max_tiers (over: their ids), and rules_checked;
// what retired rules paid is checked rebate by rebate (compliance.check_rebates).
MATCH (r:Rule {status: 'active'})
RETURN count(r) AS rules_checked,
       [x IN collect(CASE WHEN size(r.tiers) > $max_tiers THEN r.id END) WHERE x IS NOT NULL] AS over
