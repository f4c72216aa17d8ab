// Test only: links order $order_id to rebate $rebate_id as counted ($cents), as a bonus
// counting a user out of its team would be. Returns linked.
MATCH (o:Order {id: $order_id}), (rb:Rebate {id: $rebate_id})
CREATE (o)-[:COUNTED_IN {cents: $cents}]->(rb)
RETURN count(*) AS linked
