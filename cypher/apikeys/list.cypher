// Every run-time API key (never its hash), newest first.
MATCH (k:ApiKey)
RETURN k.id AS id, k.role AS role, k.label AS label, k.created_by AS created_by,
       toString(k.created_at) AS created_at, toString(k.revoked_at) AS revoked_at
ORDER BY k.created_at DESC
