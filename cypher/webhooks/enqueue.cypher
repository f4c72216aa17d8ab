// Writes the deliveries $rows {id, hook_key, webhook_id, type, body} at $at, pending and due
// at once, to be retried until $at plus $retry_hours. Returns written.
UNWIND $rows AS r
CREATE (d:WebhookDelivery {id: r.id})
SET d.hook_key = r.hook_key, d.webhook_id = r.webhook_id, d.type = r.type, d.body = r.body,
    d.created_at = datetime($at), d.expires_at = datetime($at) + duration({hours: $retry_hours}),
    d.state = 'pending', d.attempts = 0, d.next_attempt_at = datetime($at)
RETURN count(d) AS written
