// How many users sit at each tier below $user_id, down to $depth (three hops at most).
// Each user has one inviter, so every downline member is reached by exactly one path.
MATCH p = (:User {id: $user_id})-[:INVITED*1..3]->(:User)
WHERE length(p) <= $depth
RETURN length(p) AS tier, count(*) AS users
ORDER BY tier
