// Every rebate checked against the cap $max_tiers and its path certificate (buyer to
// beneficiary along INVITED edges): counts, and up to $sample offending ids of each kind.
MATCH (rb:Rebate)
OPTIONAL MATCH (rb)-[:TO]->(b:User)
OPTIONAL MATCH (buyer:User)-[:PLACED]->(:Order)-[:EARNS]->(rb)
WITH rb, b, buyer,
     rb.tier > $max_tiers AS over_cap,
     rb.path IS NULL OR size(rb.path) <> rb.tier + 1 OR b IS NULL OR buyer IS NULL
       OR last(rb.path) <> b.id OR head(rb.path) <> buyer.id AS bad_ends
WITH rb, over_cap,
     bad_ends OR NOT all(i IN range(0, size(coalesce(rb.path, [])) - 2) WHERE EXISTS {
       MATCH (:User {id: rb.path[i + 1]})-[:INVITED]->(:User {id: rb.path[i]})
     }) AS bad_path
RETURN count(rb) AS rebates_checked,
       max(rb.tier) AS max_paid_tier,
       sum(CASE WHEN over_cap THEN 1 ELSE 0 END) AS over_cap,
       sum(CASE WHEN bad_path THEN 1 ELSE 0 END) AS bad_path,
       collect(CASE WHEN over_cap THEN rb.id END)[0..$sample] AS over_cap_samples,
       collect(CASE WHEN bad_path THEN rb.id END)[0..$sample] AS bad_path_samples
