// The active ring model (at most one is): what detection scores rings with, and
// GET /v1/risk/models/active shows.
MATCH (m:RiskModel {active: true})
RETURN m.version AS version, m.trained_at AS trained_at, m.trained_by AS trained_by,
       m.labels AS labels, m.positives AS positives, m.active AS active,
       m.accepted AS accepted, m.reason AS reason, m.metrics AS metrics, m.params AS params
ORDER BY version DESC
LIMIT 1
