// The upline of $user_id as one row: found (the user exists) and upline, the ids of the
// inviter (tier 1), the inviter's inviter (tier 2) and the next (tier 3), nearest first.
// Three hops at most: the legal red line; callers cut it to the configured depth.
// Explicit hops rather than a variable-length pattern: no sort, one row, fewer operators.
OPTIONAL MATCH (u:User {id: $user_id})
OPTIONAL MATCH (u)<-[:INVITED]-(t1:User)
OPTIONAL MATCH (t1)<-[:INVITED]-(t2:User)
OPTIONAL MATCH (t2)<-[:INVITED]-(t3:User)
RETURN u IS NOT NULL AS found, [x IN [t1.id, t2.id, t3.id] WHERE x IS NOT NULL] AS upline
