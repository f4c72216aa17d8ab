// Deletes up to $limit deliveries no longer pending (delivered, failed, cancelled) created
// before $before, with their attempts. Returns deleted.
MATCH (d:WebhookDelivery)
WHERE d.state <> 'pending' AND d.created_at < $before
WITH d LIMIT $limit
OPTIONAL MATCH (d)-[:ATTEMPT]->(a:WebhookAttempt)
DETACH DELETE a
WITH DISTINCT d
DETACH DELETE d
RETURN count(d) AS deleted
