// The upline of $user_id in one row: found, and upline (ids, inviter first, three hops at most:
// the legal red line). Explicit hops, not a variable-length pattern: no sort, one row.
OPTIONAL MATCH (u:User {id: $user_id})
OPTIONAL MATCH (u)<-[:INVITED]-(t1:User)
OPTIONAL MATCH (t1)<-[:INVITED]-(t2:User)
OPTIONAL MATCH (t2)<-[:INVITED]-(t3:User)
RETURN u IS NOT NULL AS found, [x IN [t1.id, t2.id, t3.id] WHERE x IS NOT NULL] AS upline
