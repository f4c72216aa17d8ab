// The audit head: the seq and hash of the last entry appended (no rows before the first).
MATCH (h:AuditHead {id: 'head'})
RETURN h.seq AS seq, h.hash AS hash
