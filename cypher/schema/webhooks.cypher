// Webhook endpoints, their deliveries (the outbox) and attempts. Applied at start-up, idempotent.
CREATE CONSTRAINT webhook_id IF NOT EXISTS FOR (n:Webhook) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT webhook_key IF NOT EXISTS FOR (n:Webhook) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT webhook_delivery_id IF NOT EXISTS FOR (n:WebhookDelivery) REQUIRE n.id IS UNIQUE;
// the worker's drain: pending deliveries by when their next attempt is due
CREATE INDEX webhook_delivery_due IF NOT EXISTS FOR (n:WebhookDelivery) ON (n.state, n.next_attempt_at);
// an endpoint's delivery log, newest first
CREATE INDEX webhook_delivery_hook IF NOT EXISTS FOR (n:WebhookDelivery) ON (n.hook_key, n.created_at);
