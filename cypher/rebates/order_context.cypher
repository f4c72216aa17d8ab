// Per order of $ids not yet computed: items, paid_at (ISO), buyer, and the buyer's upline (ids,
// levels, disabled; three hops at most), in one row: rows, a map per order.
UNWIND $ids AS id
MATCH (buyer:User)-[:PLACED]->(o:Order {id: id})
// Seek by id: a plan cached on a young graph scanned an index per id (docs/design.md).
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
