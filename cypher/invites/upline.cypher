// The upline of $user_id: tier 1 is the inviter, then the inviter's inviter, up to $depth.
// Three hops at most (the legal red line); $depth (1..3) narrows it.
// Returns one row per upline: tier, user_id. No rows: the user has no inviter.
MATCH p = (:User {id: $user_id})<-[:INVITED*1..3]-(a:User)
WHERE length(p) <= $depth
RETURN length(p) AS tier, a.id AS user_id
ORDER BY tier
