// The growth suite's mall as a --keep run left it: its users and orders (count stores),
// and whether it was folded.
CALL { MATCH (u:User) RETURN count(u) AS users }
CALL { MATCH (o:Order) RETURN count(o) AS orders }
OPTIONAL MATCH (s:FoldState {id: 'growth'})
RETURN users, orders, s IS NOT NULL AS folded
