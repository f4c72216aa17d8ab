// Users whose phone has the keyed hash $phone_hash (the phone itself is never stored clear).
MATCH (u:User {phone_hash: $phone_hash})
RETURN u.id AS user_id
ORDER BY user_id
LIMIT 100
