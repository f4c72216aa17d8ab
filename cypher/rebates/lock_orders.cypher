// Takes the write lock of each order of $ids (sorted by the caller, to avoid deadlocks), so
// that only one transaction at a time decides an order's rebates. Returns how many exist.
UNWIND $ids AS id
MATCH (o:Order {id: id})
SET o.lock_seq = coalesce(o.lock_seq, 0) + 1
RETURN count(o) AS locked
