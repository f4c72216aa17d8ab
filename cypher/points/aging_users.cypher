// Users with a points credit into `available` dated in ($from, $cutoff] (ISO times): whose
// oldest unspent points may have just expired. Returns rows, their ids.
MATCH (x:LedgerTxn)
WHERE x.kind = 'points' AND x.at > datetime($from) AND x.at <= datetime($cutoff)
  AND x.user_id IS NOT NULL
  AND any(i IN range(0, size(x.buckets) - 1) WHERE x.buckets[i] = 'available' AND x.amounts[i] > 0)
RETURN collect(DISTINCT x.user_id) AS rows
