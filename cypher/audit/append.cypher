// Appends one audit entry after the current head, in the caller's transaction. The head
// node is locked first (SET), so concurrent appends are serialised and seq has no gaps.
// $entry {actor, role, action, target, before, after, at, request_id} (before/after as JSON
// text); $hash is computed by the caller from $prev_hash and the entry, see graph/audit/trail.py.
// Returns nothing; use audit.head to read prev_hash under the same lock first.
MATCH (h:AuditHead {id: 'head'})
CREATE (e:AuditEntry {seq: h.seq + 1, actor: $entry.actor, role: $entry.role,
        action: $entry.action, target: $entry.target, before: $entry.before,
        after: $entry.after, at: $entry.at, request_id: $entry.request_id,
        prev_hash: h.hash, hash: $hash})
SET h.seq = h.seq + 1, h.hash = $hash
RETURN e.seq AS seq
