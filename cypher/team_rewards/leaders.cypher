// Takes the write lock of the users $ids (in id order, a fresh token that reads nothing) and
// returns them with whether an admin disabled them: rows {user_id, disabled}.
UNWIND $ids AS id
WITH id ORDER BY id
MATCH (u:User {id: id})
SET u.lock_token = randomUUID()
RETURN u.id AS user_id, coalesce(u.disabled, false) AS disabled
