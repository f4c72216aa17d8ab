// A page of at most $limit orders paid in [$from, $to) after ($after_at, $after_id): items,
// amounts, refunds and the buyer's upline levels (three tiers at most). Read-only.
MATCH (o:Order)
WHERE o.paid_at >= $from AND o.paid_at < $to
  AND (o.paid_at > $after_at OR (o.paid_at.epochSeconds = $after_at.epochSeconds
           AND o.paid_at.nanosecond = $after_at.nanosecond AND o.id > $after_id))
WITH o ORDER BY o.paid_at, o.id LIMIT $limit
MATCH (buyer:User)-[:PLACED]->(o)
OPTIONAL MATCH (buyer)<-[:INVITED]-(t1:User)
OPTIONAL MATCH (t1)<-[:INVITED]-(t2:User)
OPTIONAL MATCH (t2)<-[:INVITED]-(t3:User)
RETURN o.id AS order_id, o.paid_at AS paid_at, o.item_categories AS categories,
       o.item_amounts AS amounts, o.amount_cents AS order_cents,
       o.refunded_cents AS refunded_cents,
       // levels at payment, as cypher/rebates/order_context.cypher reads them
       [x IN [t1, t2, t3] WHERE x IS NOT NULL |
           CASE WHEN x.base_level IS NULL THEN coalesce(x.level, 0)
           ELSE reduce(best = {at: null, level: x.base_level},
                       c IN [(x)-[:LEVEL_CHANGED]->(c:LevelChange) WHERE c.at <= o.paid_at | c] |
                       CASE WHEN best.at IS NULL OR c.at > best.at
                                 OR (c.at = best.at AND c.level > best.level)
                            THEN {at: c.at, level: c.level} ELSE best END).level END] AS levels
