// One page of the downline of $user_id to $depth: tier, user_id, registered_at, ordered by
// tier then id, after the keyset ($after_tier, $after_id) when $after_id is not null, skipping
// $skip and returning $limit.
MATCH p = (u:User {id: $user_id})-[:INVITED*1..3]->(d:User)
WHERE length(p) <= $depth
  AND ($after_id IS NULL OR length(p) > $after_tier
       OR (length(p) = $after_tier AND d.id > $after_id))
RETURN length(p) AS tier, d.id AS user_id, d.registered_at AS registered_at
ORDER BY tier, user_id
SKIP $skip LIMIT $limit
