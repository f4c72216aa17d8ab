// Whether user $user_id exists.
MATCH (u:User {id: $user_id})
RETURN count(u) > 0 AS found
