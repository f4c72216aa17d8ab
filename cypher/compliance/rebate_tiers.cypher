// Every rebate ever created, checked against the tier cap $max_tiers and its own path
// certificate (the path runs buyer ... beneficiary, so it holds tier + 1 users and ends
// with the beneficiary). Returns counts and up to $sample offending rebate ids of each kind.
MATCH (rb:Rebate)
OPTIONAL MATCH (rb)-[:TO]->(b:User)
WITH rb, b,
     rb.tier > $max_tiers AS over_cap,
     rb.path IS NULL OR size(rb.path) <> rb.tier + 1 OR b IS NULL
       OR last(rb.path) <> b.id AS bad_path
RETURN count(rb) AS rebates_checked,
       max(rb.tier) AS max_paid_tier,
       sum(CASE WHEN over_cap THEN 1 ELSE 0 END) AS over_cap,
       sum(CASE WHEN bad_path THEN 1 ELSE 0 END) AS bad_path,
       collect(CASE WHEN over_cap THEN rb.id END)[0..$sample] AS over_cap_samples,
       collect(CASE WHEN bad_path THEN rb.id END)[0..$sample] AS bad_path_samples
