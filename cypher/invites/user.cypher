// One user with their inviter: user_id, invited_by, registered_at, level, phone_enc, and
// whether the user is disabled as a beneficiary.
MATCH (u:User {id: $user_id})
OPTIONAL MATCH (inviter:User)-[:INVITED]->(u)
RETURN u.id AS user_id, inviter.id AS invited_by, u.registered_at AS registered_at,
       u.level AS level, u.phone_enc AS phone_enc, coalesce(u.disabled, false) AS disabled
