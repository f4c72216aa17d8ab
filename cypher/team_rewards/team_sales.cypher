// Per order paid in [$start,$end) and [$from,$until), done by $now ($window_days), $category: rows
// {leader, order_id, cents}, one per leader 1..$depth invite steps above its buyer.
MATCH (o:Order)
WHERE o.paid_at >= datetime($start) AND o.paid_at < datetime($end)
  AND ($from IS NULL OR o.paid_at >= datetime($from))
  AND ($until IS NULL OR o.paid_at < datetime($until))
WITH o, CASE WHEN o.received_at > o.paid_at THEN o.received_at ELSE o.paid_at END AS window_start
WHERE (o.completed_at IS NOT NULL AND o.completed_at <= datetime($now))
   OR window_start + duration({days: $window_days}) <= datetime($now)
WITH o, CASE WHEN $category IS NULL THEN o.amount_cents
             ELSE reduce(s = 0, i IN range(0, size(coalesce(o.item_categories, [])) - 1) |
                  s + CASE WHEN o.item_categories[i] = $category THEN o.item_amounts[i]
                           ELSE 0 END) END AS cents
WHERE cents > 0
MATCH p = (leader:User)-[:INVITED*1..3]->(:User)-[:PLACED]->(o)
WHERE length(p) - 1 <= $depth
RETURN leader.id AS leader, o.id AS order_id, cents
ORDER BY leader, order_id
