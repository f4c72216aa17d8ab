// Rebates created from $since (inclusive) until $until (exclusive), oldest first, by
// (created_at, id); $after_id skips those of the instant $since up to that id (a keyset
// cursor). Rows {id, at}; at most $limit. Index rebate_created_at.
MATCH (rb:Rebate) USING INDEX rb:Rebate(created_at)
WHERE rb.created_at >= datetime($since)
  AND rb.created_at < datetime($until)
  AND ($after_id IS NULL OR rb.created_at > datetime($since) OR rb.id > $after_id)
RETURN rb.id AS id, toString(rb.created_at) AS at
ORDER BY rb.created_at, rb.id
LIMIT $limit
