// Test support: a probe node $id for tests of locking.
MERGE (n:LockProbe {id: $id})
