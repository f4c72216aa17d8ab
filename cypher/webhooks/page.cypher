// Up to $limit webhook endpoints by id after $after_id (null: from the first): id, url,
// events, created_at. The secret is never read here.
MATCH (h:Webhook)
WHERE $after_id IS NULL OR h.id > $after_id
RETURN h.id AS id, h.url AS url, h.events AS events, toString(h.created_at) AS created_at
ORDER BY h.id
LIMIT $limit
