// ROI rows of key kind $key_kind over mall days $from..$to ('YYYY-MM-DD', inclusive), summed
// from the aggregates: the day rows (index roi_day) of $from..$head_to and $tail_from..$to,
// and the month rows (index roi_month) of the full months $first_month..$last_month between
// them ('YYYY-MM'; graph/analytics.split_window). Until the month rows are built (the
// fold's months_built) every day is read from its day row. Returns rows {key, orders,
// gmv_cents, rebate_cents, held_cents, void_cents}, by key; and as_of, the last fold's
// watermark (null before one).
OPTIONAL MATCH (s:FoldState {id: 'growth'})
WITH toString(s.watermark) AS as_of, coalesce(s.months_built, false) AS built
CALL (built) {
  CALL (built) {
    MATCH (d:RoiDay)
    WHERE d.key_kind = $key_kind AND d.day >= $from
      AND d.day <= CASE WHEN built THEN $head_to ELSE $to END
    RETURN d.key AS key, d.orders AS orders, d.gmv_cents AS gmv_cents,
           d.rebate_cents AS rebate_cents, d.held_cents AS held_cents,
           d.void_cents AS void_cents
    UNION ALL
    MATCH (d:RoiDay)
    WHERE built AND d.key_kind = $key_kind AND d.day >= $tail_from AND d.day <= $to
    RETURN d.key AS key, d.orders AS orders, d.gmv_cents AS gmv_cents,
           d.rebate_cents AS rebate_cents, d.held_cents AS held_cents,
           d.void_cents AS void_cents
    UNION ALL
    MATCH (m:RoiMonth)
    WHERE built AND m.key_kind = $key_kind AND m.month >= $first_month
      AND m.month <= $last_month
    RETURN m.key AS key, m.orders AS orders, m.gmv_cents AS gmv_cents,
           m.rebate_cents AS rebate_cents, m.held_cents AS held_cents,
           m.void_cents AS void_cents
  }
  WITH key, sum(orders) AS orders, sum(gmv_cents) AS gmv_cents,
       sum(rebate_cents) AS rebate_cents, sum(held_cents) AS held_cents,
       sum(void_cents) AS void_cents
  ORDER BY key
  RETURN collect({key: key, orders: orders, gmv_cents: gmv_cents, rebate_cents: rebate_cents,
                  held_cents: held_cents, void_cents: void_cents}) AS rows
}
RETURN rows, as_of
