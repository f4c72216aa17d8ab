// Test support: every stored property of the users whose id starts with $prefix, raw.
MATCH (u:User) WHERE u.id STARTS WITH $prefix
RETURN properties(u) AS props
