// The rebates $ids checked against the cap $max_tiers and their path certificates (buyer to
// beneficiary along INVITED edges): counts, max tier, and up to $sample offending ids of each
// kind. Callers page the ids (compliance.rebate_page, compliance.rebates_since).
UNWIND $ids AS id
MATCH (rb:Rebate {id: id})
OPTIONAL MATCH (rb)-[:TO]->(b:User)
OPTIONAL MATCH (buyer:User)-[:PLACED]->(:Order)-[:EARNS]->(rb)
WITH rb, b, buyer,
     rb.tier > $max_tiers AS over_cap,
     rb.path IS NULL OR size(rb.path) <> rb.tier + 1 OR b IS NULL OR buyer IS NULL
       OR last(rb.path) <> b.id OR head(rb.path) <> buyer.id AS bad_ends
// Each step is read from the invitee up (its one inviter), never from the inviter down: a
// super-inviter's tens of thousands of invitees would be read for every rebate it earns.
WITH rb, over_cap,
     bad_ends OR NOT all(i IN range(0, size(coalesce(rb.path, [])) - 2) WHERE
       rb.path[i + 1] IN [(:User {id: rb.path[i]})<-[:INVITED]-(inviter:User) | inviter.id]
     ) AS bad_path
RETURN count(rb) AS rebates_checked,
       max(rb.tier) AS max_paid_tier,
       sum(CASE WHEN over_cap THEN 1 ELSE 0 END) AS over_cap,
       sum(CASE WHEN bad_path THEN 1 ELSE 0 END) AS bad_path,
       collect(CASE WHEN over_cap THEN rb.id END)[0..$sample] AS over_cap_samples,
       collect(CASE WHEN bad_path THEN rb.id END)[0..$sample] AS bad_path_samples
