// Up to $limit users whose phone is sealed under a key other than the current one
// (its token does not start with $key_prefix, "keyid:"). Returns id, phone_enc.
MATCH (u:User)
WHERE u.phone_enc IS NOT NULL AND NOT u.phone_enc STARTS WITH $key_prefix
RETURN u.id AS id, u.phone_enc AS phone_enc
LIMIT $limit
