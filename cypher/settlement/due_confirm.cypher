// Up to $limit pending rebates due as of $as_of (order completed, or $window_days passed; due
// is the earlier), only those of $ids unless it is null. Ordered by id.
MATCH (o:Order)-[:EARNS]->(rb:Rebate {status: 'pending'})
WITH rb, o.paid_at + duration({days: $window_days}) AS window_end, o.completed_at AS completed
WITH rb, CASE WHEN completed IS NOT NULL AND completed < window_end THEN completed
              ELSE window_end END AS due
WHERE due <= $as_of AND ($ids IS NULL OR rb.id IN $ids)
RETURN rb.id AS rebate_id, rb.amount_cents AS amount_cents, rb.kind AS kind,
       rb.beneficiary AS beneficiary, toString(due) AS due
ORDER BY rb.id
LIMIT $limit
