// Stored orders among $ids: fingerprint, amounts and completion, for replays and refunds.
UNWIND $ids AS id
MATCH (o:Order {id: id})
RETURN o.id AS id, o.fp AS fp, o.amount_cents AS amount_cents,
       o.refunded_cents AS refunded_cents, o.completed_at AS completed_at
