// The rebates $ids checked against the cap $max_tiers and their path certificates (buyer to
// beneficiary along INVITED edges): counts, max tier, and up to $sample offending ids of each
// kind, and how many were team bonuses. Callers page the ids (compliance.rebate_page, ...).
UNWIND $ids AS id
MATCH (rb:Rebate {id: id})
OPTIONAL MATCH (rb)-[:TO]->(b:User)
OPTIONAL MATCH (buyer:User)-[:PLACED]->(:Order)-[:EARNS]->(rb)
WITH rb, b, buyer, rb.kind = 'team_bonus' AS team,
     rb.tier > $max_tiers AS over_cap,
     rb.path IS NULL OR size(rb.path) <> rb.tier + 1 OR b IS NULL OR buyer IS NULL
       OR last(rb.path) <> b.id OR head(rb.path) <> buyer.id AS bad_ends
// Each step is read from the invitee up (its one inviter), never from the inviter down: a
// super-inviter's tens of thousands of invitees would be read for every rebate it earns.
// A team bonus (tier: its reward's depth) has its leader alone on its path and counted
// orders, each bought by a user 1..tier invite steps below the leader, read upward too.
WITH rb, over_cap, team,
     CASE WHEN team THEN b IS NULL OR rb.path IS NULL OR rb.path <> [b.id]
       OR NOT exists { (:Order)-[:COUNTED_IN]->(rb) }
       OR NOT all(o IN [(x:Order)-[:COUNTED_IN]->(rb) | x] WHERE b.id IN
         [p = (o)<-[:PLACED]-(:User)<-[:INVITED*1..3]-(up:User) WHERE length(p) - 1 <= rb.tier
          | up.id])
     ELSE bad_ends OR NOT all(i IN range(0, size(coalesce(rb.path, [])) - 2) WHERE
       rb.path[i + 1] IN [(:User {id: rb.path[i]})<-[:INVITED]-(inviter:User) | inviter.id]
     ) END AS bad_path
RETURN count(rb) AS rebates_checked,
       sum(CASE WHEN team THEN 1 ELSE 0 END) AS team_bonuses_checked,
       max(rb.tier) AS max_paid_tier,
       sum(CASE WHEN over_cap THEN 1 ELSE 0 END) AS over_cap,
       sum(CASE WHEN bad_path THEN 1 ELSE 0 END) AS bad_path,
       collect(CASE WHEN over_cap THEN rb.id END)[0..$sample] AS over_cap_samples,
       collect(CASE WHEN bad_path THEN rb.id END)[0..$sample] AS bad_path_samples
