// Test support: the actions of the audit entries on $target, oldest first: rows of action.
MATCH (e:AuditEntry {target: $target})
RETURN e.action AS action
ORDER BY e.seq
