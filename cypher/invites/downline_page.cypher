// One page of the downline of $user_id to $depth: tier, user_id, registered_at, ordered by
// tier then id, skipping $skip and returning $limit.
MATCH p = (u:User {id: $user_id})-[:INVITED*1..3]->(d:User)
WHERE length(p) <= $depth
RETURN length(p) AS tier, d.id AS user_id, d.registered_at AS registered_at
ORDER BY tier, user_id
SKIP $skip LIMIT $limit
