// Takes the write lock of withdrawal $id, then (in the next statement) its state can be read
// without a concurrent change slipping in. Returns found.
OPTIONAL MATCH (w:Withdrawal {id: $id})
FOREACH (_ IN CASE WHEN w IS NULL THEN [] ELSE [1] END |
  SET w.lock_token = randomUUID())
RETURN w IS NOT NULL AS found
