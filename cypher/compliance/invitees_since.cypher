// Invitees of INVITED edges created from $since (inclusive) until $until (exclusive), oldest
// edge first, by (created_at, invitee id); $after_id skips those of the instant $since up to
// that id. Rows {id, at}; at most $limit. Index invited_created_at.
MATCH ()-[e:INVITED]->(u:User) USING INDEX e:INVITED(created_at)
WHERE e.created_at >= datetime($since)
  AND e.created_at < datetime($until)
  AND ($after_id IS NULL OR e.created_at > datetime($since) OR u.id > $after_id)
RETURN u.id AS id, toString(e.created_at) AS at
ORDER BY e.created_at, u.id
LIMIT $limit
