// Test support: someone with write access to the graph rewrites audit entries and recomputes
// their hashes and the head's, so that the graph's own chain checks out again.
// $rows [{seq, after, prev_hash, hash}], $head_hash. Returns the entries rewritten.
UNWIND $rows AS row
MATCH (e:AuditEntry {seq: row.seq})
SET e.after = row.after, e.prev_hash = row.prev_hash, e.hash = row.hash
WITH count(e) AS touched
MATCH (h:AuditHead {id: 'head'})
SET h.hash = $head_hash
RETURN touched
