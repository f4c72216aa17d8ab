// Links the counted orders of $rows {order_id, rebate_id, cents} to their bonus:
// (Order)-[:COUNTED_IN]->(Rebate) holding the cents it counted before refunds. Returns linked.
UNWIND $rows AS r
MATCH (o:Order {id: r.order_id})
MATCH (rb:Rebate {id: r.rebate_id})
CREATE (o)-[:COUNTED_IN {cents: r.cents}]->(rb)
RETURN count(*) AS linked
