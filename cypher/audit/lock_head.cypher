// Creates the audit head on first use and takes its write lock; returns the current seq and
// hash (the genesis hash is 64 zeros), read after the lock so no other append slips between.
MERGE (h:AuditHead {id: 'head'})
  ON CREATE SET h.seq = 0, h.hash = '0000000000000000000000000000000000000000000000000000000000000000'
SET h.locked_at = datetime()
RETURN h.seq AS seq, h.hash AS hash
