// Stored ring models newest first: $limit of those with a version under $before (null:
// from the newest), for GET /v1/risk/models (keyset paging on the version).
MATCH (m:RiskModel)
WHERE $before IS NULL OR m.version < $before
RETURN m.version AS version, m.trained_at AS trained_at, m.trained_by AS trained_by,
       m.labels AS labels, m.positives AS positives, m.active AS active,
       m.accepted AS accepted, m.reason AS reason, m.metrics AS metrics, m.params AS params
ORDER BY version DESC
LIMIT $limit
