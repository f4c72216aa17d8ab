// Rows {order_id, cents, path} of team bonus $rebate_id's counted orders, by id: path is buyer
// .. leader along INVITED now, null unless the leader is 1..tier steps above the buyer.
MATCH (rb:Rebate {id: $rebate_id})<-[c:COUNTED_IN]-(o:Order)<-[:PLACED]-(buyer:User)
OPTIONAL MATCH p = (leader:User {id: rb.beneficiary})-[:INVITED*1..3]->(buyer)
WITH rb, o, c, buyer, p
ORDER BY length(p)
WITH rb, o, c, buyer, collect(p)[0] AS p
RETURN o.id AS order_id, c.cents AS cents,
       CASE WHEN p IS NULL OR length(p) > rb.tier THEN null
            ELSE reverse([n IN nodes(p) | n.id]) END AS path
ORDER BY order_id
