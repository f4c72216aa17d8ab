// Deletes up to $limit nodes with their relationships (`tiergraph db reset`); returns deleted.
MATCH (n)
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted
