// Every delivery written for webhook $webhook_id, deleted or not, oldest first: id, state,
// type, body, attempts.
MATCH (d:WebhookDelivery {webhook_id: $webhook_id})
RETURN d.id AS id, d.state AS state, d.type AS type, d.body AS body, d.attempts AS attempts
ORDER BY d.created_at, d.id
