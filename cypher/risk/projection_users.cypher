// The users $ids for the ring-detection projection: registration time (epoch seconds) and
// inviter id, as one list of rows.
UNWIND $ids AS id
MATCH (u:User {id: id})
OPTIONAL MATCH (inviter:User)-[:INVITED]->(u)
RETURN collect([u.id, u.registered_at.epochSeconds, inviter.id]) AS rows
