// How many users the projection will read (for progress).
MATCH (u:User) RETURN count(u) AS users
