// Completes the orders of $rows {index, order_id, at} (by order id: the rows lock them) unless
// completed already: created, how many now; found, those completed before, and when.
UNWIND $rows AS row
WITH row, datetime(row.at) AS at
MATCH (o:Order {id: row.order_id})
// the order's lock first: a concurrent completion waits here, then reads this one's time
SET o.lock_token = randomUUID()
WITH row, at, o, o.completed_at IS NULL AS free
FOREACH (_ IN CASE WHEN free THEN [1] ELSE [] END |
  SET o.completed_at = at,
      o.status = CASE WHEN o.status = 'refunded' THEN o.status ELSE 'completed' END)
RETURN count(CASE WHEN free THEN 1 END) AS created,
       collect(CASE WHEN NOT free THEN {kind: 'completion', index: row.index, id: row.order_id,
               at: row.at, completed_at: toString(o.completed_at)} END) AS found
