// Sessions already stored among $ids (a session's id is its content digest).
UNWIND $ids AS id
MATCH (s:Session {id: id})
RETURN s.id AS id
