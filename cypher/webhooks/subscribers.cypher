// The webhook endpoints subscribed to event $type: key, webhook_id.
MATCH (h:Webhook)
WHERE $type IN h.events
RETURN h.key AS key, h.id AS webhook_id
ORDER BY h.id
