// Test support: a second invite edge $inviter -> $user written as the application writes
// invites (created_at now): what a writer with a bug in its binding check would store.
MATCH (a:User {id: $inviter}), (u:User {id: $user})
CREATE (a)-[:INVITED {at: datetime(), created_at: datetime()}]->(u)
RETURN count(*) AS written
