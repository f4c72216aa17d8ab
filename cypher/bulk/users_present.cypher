// Whether any User node is stored: the bulk first load (`tiergraph import --bulk`) wants a
// store without users, since neo4j-admin rewrites the whole database.
OPTIONAL MATCH (u:User)
WITH u LIMIT 1
RETURN u IS NOT NULL AS present
