// Marks orders of $rows {order_id, at} completed (goods received). An order already
// completed changes nothing. Returns how many were completed now.
UNWIND $rows AS row
WITH row {.*, at: datetime(row.at)} AS r
MATCH (o:Order {id: r.order_id})
WHERE o.completed_at IS NULL
SET o.completed_at = r.at,
    o.status = CASE WHEN o.status = 'refunded' THEN o.status ELSE 'completed' END
RETURN count(*) AS created
