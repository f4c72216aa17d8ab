// Stores webhook endpoint $hook {id, key, url, events, secret_enc, created_by} at $now.
// Fails on an existing id (unique constraint). Returns id.
CREATE (h:Webhook {id: $hook.id, key: $hook.key, url: $hook.url, events: $hook.events,
                   secret_enc: $hook.secret_enc, created_by: $hook.created_by,
                   created_at: datetime($now)})
RETURN h.id AS id
