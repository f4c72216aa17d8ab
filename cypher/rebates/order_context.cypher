// For each order of $ids whose rebates are not yet computed: its items, payment time (an ISO
// string: cheaper through the driver than a DateTime), buyer
// and the buyer's upline (ids and levels), nearest first. Three hops at most: the legal red line; the
// configured cap (2 or 3) is applied by the rule maths.
UNWIND $ids AS id
MATCH (buyer:User)-[:PLACED]->(o:Order {id: id})
WHERE o.rebates_computed = false
OPTIONAL MATCH (buyer)<-[:INVITED]-(t1:User)
OPTIONAL MATCH (t1)<-[:INVITED]-(t2:User)
OPTIONAL MATCH (t2)<-[:INVITED]-(t3:User)
RETURN o.id AS order_id, toString(o.paid_at) AS paid_at, o.item_skus AS skus,
       o.amount_cents AS order_cents, o.refunded_cents AS refunded_cents,
       o.item_categories AS categories, o.item_amounts AS amounts, buyer.id AS buyer,
       [x IN [t1.id, t2.id, t3.id] WHERE x IS NOT NULL] AS upline,
       [x IN [t1, t2, t3] WHERE x IS NOT NULL | coalesce(x.level, 0)] AS levels
