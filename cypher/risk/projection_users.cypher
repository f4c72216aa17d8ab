// A page of users for the ring-detection projection, in id order after $after: registration
// time (epoch seconds) and inviter id.
MATCH (u:User)
WHERE u.id > $after
WITH u ORDER BY u.id LIMIT $limit
OPTIONAL MATCH (inviter:User)-[:INVITED]->(u)
RETURN u.id AS user_id, u.registered_at.epochSeconds AS registered_at, inviter.id AS inviter
