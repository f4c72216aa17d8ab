// Replaces the ROI month rows of months $months ('YYYY-MM') by the sums of their day rows, for
// key kinds rule and category (a read over full months sums 12 rows a key, not 366): rows
// {month, key_kind, key, orders, gmv_cents, rebate_cents, held_cents, void_cents}. Returns
// stored.
UNWIND $months AS month
CALL (month) {
  UNWIND ['rule', 'category'] AS kind
  MATCH (m:RoiMonth {key_kind: kind, month: month})
  DELETE m
}
CALL (month) {
  UNWIND ['rule', 'category'] AS kind
  MATCH (d:RoiDay)
  WHERE d.key_kind = kind AND d.day >= month + '-01' AND d.day <= month + '-31'
  WITH kind, d.key AS key, sum(d.orders) AS orders, sum(d.gmv_cents) AS gmv_cents,
       sum(d.rebate_cents) AS rebate_cents, sum(d.held_cents) AS held_cents,
       sum(d.void_cents) AS void_cents
  CREATE (m:RoiMonth {month: month, key_kind: kind, key: key, orders: orders,
                      gmv_cents: gmv_cents, rebate_cents: rebate_cents,
                      held_cents: held_cents, void_cents: void_cents})
  RETURN count(m) AS stored
}
RETURN sum(stored) AS stored
