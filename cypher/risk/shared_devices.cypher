// The devices used by $min_users..$max_users users, each with its users' ids: only
// identifiers like these can link users in detection (graph/risk/detection.py reads the
// four kinds side by side).
MATCH (d:Device)
WHERE COUNT { (d)<-[:USED]-() } >= $min_users AND COUNT { (d)<-[:USED]-() } <= $max_users
RETURN d.id AS ident, COLLECT { MATCH (d)<-[:USED]-(u:User) RETURN u.id } AS users
