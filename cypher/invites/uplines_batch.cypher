// The upline of every user of $ids (three tiers at most, the legal red line), in one round
// trip and one row: rows is a list of [user_id, tier1, tier2, tier3] (missing tiers null).
// One row rather than one per user: the driver's per-record cost dominated (docs/benchmarks.md).
UNWIND $ids AS id
MATCH (buyer:User {id: id})
OPTIONAL MATCH (buyer)<-[:INVITED]-(t1:User)
OPTIONAL MATCH (t1)<-[:INVITED]-(t2:User)
OPTIONAL MATCH (t2)<-[:INVITED]-(t3:User)
RETURN collect([id, t1.id, t2.id, t3.id]) AS rows
