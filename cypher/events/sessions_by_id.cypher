// Sessions already stored among $ids (a session's id is its content digest), in one row.
UNWIND $ids AS id
MATCH (s:Session {id: id})
RETURN collect({id: s.id}) AS rows
