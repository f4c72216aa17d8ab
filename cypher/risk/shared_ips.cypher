// The IPs used by $min_users..$max_users users, each with its users' ids: only
// identifiers like these can link users in detection (graph/risk/detection.py reads the
// four kinds side by side).
MATCH (ip:IP)
WHERE COUNT { (ip)<-[:SEEN_AT]-() } >= $min_users AND COUNT { (ip)<-[:SEEN_AT]-() } <= $max_users
RETURN ip.addr AS ident, COLLECT { MATCH (ip)<-[:SEEN_AT]-(u:User) RETURN u.id } AS users
