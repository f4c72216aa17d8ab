// For each order of $ids whose rebates are not yet computed: its items, payment time (an ISO
// string: cheaper through the driver than a DateTime), buyer
// and the buyer's upline (ids, levels, and whether each is disabled), nearest first. Three hops at most: the legal red line; the
// configured cap (2 or 3) is applied by the rule maths.
// One row (rows: a list of one map per order): the driver's per-record cost dominated.
// The hint forces a seek by id: with statistics from a young graph the planner's cached
// plan scanned an index for every id (the rebates_computed one, or with a plain USING INDEX
// hint the id index itself: 10,000,000 db hits for 500 orders).
UNWIND $ids AS id
MATCH (buyer:User)-[:PLACED]->(o:Order {id: id})
USING INDEX SEEK o:Order(id)
WHERE o.rebates_computed = false
OPTIONAL MATCH (buyer)<-[:INVITED]-(t1:User)
OPTIONAL MATCH (t1)<-[:INVITED]-(t2:User)
OPTIONAL MATCH (t2)<-[:INVITED]-(t3:User)
RETURN collect({
  order_id: o.id, paid_at: toString(o.paid_at), skus: o.item_skus,
  order_cents: o.amount_cents, refunded_cents: o.refunded_cents,
  categories: o.item_categories, amounts: o.item_amounts, buyer: buyer.id,
  upline: [x IN [t1.id, t2.id, t3.id] WHERE x IS NOT NULL],
  levels: [x IN [t1, t2, t3] WHERE x IS NOT NULL | coalesce(x.level, 0)],
  disabled: [x IN [t1, t2, t3] WHERE x IS NOT NULL | coalesce(x.disabled, false)]
}) AS rows
