// Rules (any status) that configure more tiers than $max_tiers: their ids, and how many rules were checked.
MATCH (r:Rule)
RETURN count(r) AS rules_checked,
       [x IN collect(CASE WHEN size(r.tiers) > $max_tiers THEN r.id END) WHERE x IS NOT NULL] AS over
