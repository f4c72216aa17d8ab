// Links new orders of $rows {order_id, shipping_address} to the address they ship to.
UNWIND $rows AS r
MATCH (o:Order {id: r.order_id})
MERGE (a:Address {id: r.shipping_address})
CREATE (o)-[:SHIPS_TO]->(a)
RETURN count(*) AS created
