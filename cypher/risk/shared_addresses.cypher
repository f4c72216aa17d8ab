// The addresses used by $min_users..$max_users users, each with its users' ids: only
// identifiers like these can link users in detection (graph/risk/detection.py reads the
// four kinds side by side). An order keeps its buyer as user_id: one hop fewer.
MATCH (a:Address)
WHERE COUNT { (a)<-[:SHIPS_TO]-() } >= $min_users
WITH a, COLLECT { MATCH (a)<-[:SHIPS_TO]-(o:Order) RETURN DISTINCT o.user_id } AS users
WHERE size(users) >= $min_users AND size(users) <= $max_users
RETURN a.id AS ident, users
