// Per user of $user_ids, over the points movements of `available`: credited_old, what came in
// dated at or before $cutoff (ISO); spent, everything that went out (redeemed, converted,
// expired, refunded after credit). Returns rows {user_id, credited_old, spent}.
UNWIND $user_ids AS user_id
CALL (user_id) {
  OPTIONAL MATCH (x:LedgerTxn {user_id: user_id})
  WHERE x.kind = 'points'
  UNWIND CASE WHEN x IS NULL THEN [] ELSE range(0, size(x.buckets) - 1) END AS i
  WITH x, i WHERE x.buckets[i] = 'available'
  RETURN sum(CASE WHEN x.amounts[i] > 0 AND x.at <= datetime($cutoff) THEN x.amounts[i]
                  ELSE 0 END) AS credited_old,
         -sum(CASE WHEN x.amounts[i] < 0 THEN x.amounts[i] ELSE 0 END) AS spent
}
RETURN collect({user_id: user_id, credited_old: credited_old, spent: spent}) AS rows
