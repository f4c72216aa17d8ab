// Active rules that configure more tiers than $max_tiers (their ids), and how many active
// rules were checked. A retired rule pays nothing more; what was paid under it is checked
// rebate by rebate (compliance.rebate_tiers).
MATCH (r:Rule {status: 'active'})
RETURN count(r) AS rules_checked,
       [x IN collect(CASE WHEN size(r.tiers) > $max_tiers THEN r.id END) WHERE x IS NOT NULL] AS over
