// Rebates and users in the graph (from Neo4j's count store): a full run's progress, and
// whether a first report is small enough to make while the caller waits.
CALL { MATCH (rb:Rebate) RETURN count(rb) AS rebates }
CALL { MATCH (u:User) RETURN count(u) AS users }
RETURN rebates, users
