// Stored orders among $ids: fingerprint, amounts and completion (an ISO string, or null),
// for replays and refunds. One row: rows is a list of one map per stored order.
UNWIND $ids AS id
MATCH (o:Order {id: id})
RETURN collect({id: o.id, fp: o.fp, amount_cents: o.amount_cents,
                refunded_cents: o.refunded_cents,
                completed_at: toString(o.completed_at)}) AS rows
