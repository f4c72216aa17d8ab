// Appends $entry {actor, role, action, target, before, after, at, request_id,
// caller_request_id} with hash $hash after the head (locked by audit.lock_head). Returns seq.
MATCH (h:AuditHead {id: 'head'})
CREATE (e:AuditEntry {seq: h.seq + 1, actor: $entry.actor, role: $entry.role,
        action: $entry.action, target: $entry.target, before: $entry.before,
        after: $entry.after, at: $entry.at, request_id: $entry.request_id,
        caller_request_id: $entry.caller_request_id, prev_hash: h.hash, hash: $hash})
SET h.seq = h.seq + 1, h.hash = $hash
RETURN e.seq AS seq
