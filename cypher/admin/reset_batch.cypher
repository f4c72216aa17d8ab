// Deletes up to $limit nodes (and their relationships); returns how many went. Used by `tiergraph db reset`.
MATCH (n)
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted
