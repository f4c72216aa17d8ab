// Test support: takes the write lock of probe node $id (made by testing.make_probe);
// returns its id.
MATCH (n:LockProbe {id: $id})
SET n.lock_token = randomUUID()
RETURN n.id AS id
