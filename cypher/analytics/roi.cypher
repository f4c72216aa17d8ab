// ROI rows of key kind $key_kind over mall days $from..$to ('YYYY-MM-DD', inclusive), summed
// from the day aggregates (index roi_day): rows {key, orders, gmv_cents, rebate_cents,
// held_cents, void_cents}, by key; and as_of, the last fold's watermark (null before one).
MATCH (d:RoiDay)
WHERE d.key_kind = $key_kind AND d.day >= $from AND d.day <= $to
WITH d.key AS key, sum(d.orders) AS orders, sum(d.gmv_cents) AS gmv_cents,
     sum(d.rebate_cents) AS rebate_cents, sum(d.held_cents) AS held_cents,
     sum(d.void_cents) AS void_cents
ORDER BY key
WITH collect({key: key, orders: orders, gmv_cents: gmv_cents, rebate_cents: rebate_cents,
              held_cents: held_cents, void_cents: void_cents}) AS rows
OPTIONAL MATCH (s:FoldState {id: 'growth'})
RETURN rows, toString(s.watermark) AS as_of
