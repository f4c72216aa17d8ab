// Takes the write lock of ring $ring_id, so one decision at a time reads and sets its status.
// Returns found.
OPTIONAL MATCH (ring:Ring {id: $ring_id})
FOREACH (_ IN CASE WHEN ring IS NULL THEN [] ELSE [1] END |
  SET ring.decide_lock = coalesce(ring.decide_lock, 0) + 1)
RETURN ring IS NOT NULL AS found
