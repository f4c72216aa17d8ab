// The users $ids with whether an admin disabled them: rows {user_id, disabled}.
UNWIND $ids AS id
MATCH (u:User {id: id})
RETURN u.id AS user_id, coalesce(u.disabled, false) AS disabled
