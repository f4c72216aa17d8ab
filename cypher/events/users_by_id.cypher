// Stored users among $ids, with their inviter: what registrations are checked against.
// Returns id, fp (content fingerprint), invited_by.
UNWIND $ids AS id
MATCH (u:User {id: id})
OPTIONAL MATCH (inviter:User)-[:INVITED]->(u)
RETURN u.id AS id, u.fp AS fp, inviter.id AS invited_by
