// Deletes webhook endpoint $id and cancels its deliveries still pending at $now (their
// history stays). Returns found and cancelled; no row for an unknown id.
MATCH (h:Webhook {id: $id})
WITH h, h.key AS key
OPTIONAL MATCH (d:WebhookDelivery {hook_key: key, state: 'pending'})
SET d.state = 'cancelled', d.next_attempt_at = null, d.cancelled_at = datetime($now)
WITH h, count(d) AS cancelled
DETACH DELETE h
RETURN true AS found, cancelled
