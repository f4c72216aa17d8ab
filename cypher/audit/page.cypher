// Audit entries with seq greater than $after, oldest first, at most $limit.
MATCH (e:AuditEntry)
WHERE e.seq > $after
RETURN e.seq AS seq, e.actor AS actor, e.role AS role, e.action AS action, e.target AS target,
       e.before AS before, e.after AS after, e.at AS at, e.request_id AS request_id,
       e.caller_request_id AS caller_request_id, e.prev_hash AS prev_hash, e.hash AS hash
ORDER BY e.seq
LIMIT $limit
