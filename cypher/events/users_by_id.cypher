// Stored users among $ids, with their inviter: what registrations are checked against.
// One row: rows is a list of {id, fp (content fingerprint), invited_by}.
UNWIND $ids AS id
MATCH (u:User {id: id})
OPTIONAL MATCH (inviter:User)-[:INVITED]->(u)
RETURN collect({id: u.id, fp: u.fp, invited_by: inviter.id}) AS rows
