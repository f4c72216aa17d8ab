// Test support: what someone with database access might do to the audit log. $mode is
// 'edit' (change entry $seq's after), 'delete' (remove entry $seq) or 'truncate' (remove
// entry $seq and every later one, leaving the head alone).
MATCH (e:AuditEntry)
WHERE ($mode = 'truncate' AND e.seq >= $seq) OR ($mode <> 'truncate' AND e.seq = $seq)
FOREACH (_ IN CASE WHEN $mode = 'edit' THEN [1] ELSE [] END | SET e.after = '{"tiers":[9000]}')
FOREACH (_ IN CASE WHEN $mode <> 'edit' THEN [1] ELSE [] END | DETACH DELETE e)
RETURN count(*) AS touched
