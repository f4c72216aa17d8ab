// The upline of every user of $ids (three tiers at most) in one row: rows, a list of
// [user_id, tier1, tier2, tier3] with missing tiers null.
UNWIND $ids AS id
MATCH (buyer:User {id: id})
OPTIONAL MATCH (buyer)<-[:INVITED]-(t1:User)
OPTIONAL MATCH (t1)<-[:INVITED]-(t2:User)
OPTIONAL MATCH (t2)<-[:INVITED]-(t3:User)
RETURN collect([id, t1.id, t2.id, t3.id]) AS rows
