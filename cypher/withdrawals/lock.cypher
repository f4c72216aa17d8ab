// Takes the write lock of withdrawal $id, then (in the next statement) its state can be read
// without a concurrent change slipping in. Returns found.
OPTIONAL MATCH (w:Withdrawal {id: $id})
FOREACH (_ IN CASE WHEN w IS NULL THEN [] ELSE [1] END |
  SET w.lock_seq = coalesce(w.lock_seq, 0) + 1)
RETURN w IS NOT NULL AS found
