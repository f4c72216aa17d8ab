// Users written since $since (registration, session, order or refund: touched_at, stamped by
// cypher/events/write_*.cypher), whose components an incremental detection run redoes.
MATCH (u:User)
WHERE u.touched_at >= datetime($since)
RETURN collect(u.id) AS rows
