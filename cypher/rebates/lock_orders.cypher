// Takes the write lock of each order of $ids (sorted by the caller, to avoid deadlocks), so
// that only one transaction at a time decides an order's rebates. Returns how many exist.
// Every lock query writes a fresh token that reads nothing: a write reading the property it
// sets (`x = x + 1`) made Neo4j report false deadlocks to the waiters (docs/design.md).
UNWIND $ids AS id
MATCH (o:Order {id: id})
SET o.lock_token = randomUUID()
RETURN count(o) AS locked
