// Rebates per status, for GET /metrics (read at scrape time, cached a few seconds by
// api/metrics.py). Counted through the rebate_status index. No parameters.
MATCH (r:Rebate)
WHERE r.status IS NOT NULL
RETURN r.status AS status, count(*) AS rebates
ORDER BY status
