// Replaces the ROI rows of mall day $day by $rows {key_kind, key, orders, gmv_cents,
// rebate_cents, held_cents, void_cents}, stamped $now. Returns stored.
CALL () {
  UNWIND ['rule', 'category', 'day'] AS kind
  MATCH (d:RoiDay {key_kind: kind, day: $day})
  DELETE d
}
CALL () {
  UNWIND $rows AS r
  CREATE (d:RoiDay {day: $day, key_kind: r.key_kind, key: r.key, orders: r.orders,
                    gmv_cents: r.gmv_cents, rebate_cents: r.rebate_cents,
                    held_cents: r.held_cents, void_cents: r.void_cents,
                    folded_at: datetime($now)})
  RETURN count(d) AS stored
}
RETURN stored
