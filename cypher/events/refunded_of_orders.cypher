// refunded_cents of the orders $ids, in one row: rows is a list of {id, refunded_cents}.
// Read after rebates.lock_orders in the same transaction, it is what stands under the lock.
UNWIND $ids AS id
MATCH (o:Order {id: id})
RETURN collect({id: o.id, refunded_cents: o.refunded_cents}) AS rows
