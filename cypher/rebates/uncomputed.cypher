// Up to $limit paid orders whose rebates were never computed and that were stored before
// $before: the sweep's safety net for a lost task message.
MATCH (o:Order)
WHERE o.rebates_computed = false AND o.paid_at < $before
RETURN o.id AS id
LIMIT $limit
