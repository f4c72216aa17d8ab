// Replaces the sealed phone of each user of $rows {id, phone_enc}. Returns how many.
UNWIND $rows AS r
MATCH (u:User {id: r.id})
SET u.phone_enc = r.phone_enc
RETURN count(u) AS resealed
