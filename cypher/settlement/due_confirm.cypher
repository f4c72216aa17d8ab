// Up to $limit pending rebates due as of $as_of: completed, or their return window past the
// later of paid_at and received_at (due is the earlier); only those of $ids unless null.
// The window is the rebate's own (stored from its rule at creation), else $window_days.
// Ordered by id.
MATCH (o:Order)-[:EARNS]->(rb:Rebate {status: 'pending'})
WITH rb, o.completed_at AS completed,
     CASE WHEN o.received_at > o.paid_at THEN o.received_at ELSE o.paid_at END AS window_start
WITH rb, completed,
     window_start + duration({days: coalesce(rb.return_window_days, $window_days)}) AS window_end
WITH rb, CASE WHEN completed IS NOT NULL AND completed < window_end THEN completed
              ELSE window_end END AS due
WHERE due <= $as_of AND ($ids IS NULL OR rb.id IN $ids)
RETURN rb.id AS rebate_id, rb.amount_cents AS amount_cents, rb.kind AS kind,
       rb.beneficiary AS beneficiary, toString(due) AS due
ORDER BY rb.id
LIMIT $limit
