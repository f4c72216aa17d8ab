// Test support: the names of the store's constraints (the schema applied at start-up).
SHOW CONSTRAINTS YIELD name
RETURN name
