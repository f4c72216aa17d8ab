// Test support: how many users have an id starting with $prefix.
MATCH (u:User) WHERE u.id STARTS WITH $prefix
RETURN count(u) AS users
