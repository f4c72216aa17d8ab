// The sealed phone of user $user_id (found is false for an unknown user).
OPTIONAL MATCH (u:User {id: $user_id})
RETURN u IS NOT NULL AS found, u.phone_enc AS phone_enc
