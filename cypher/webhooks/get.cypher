// The webhook endpoint $id: id, key, url, events, secret_enc, created_at (no row if unknown).
MATCH (h:Webhook {id: $id})
RETURN h.id AS id, h.key AS key, h.url AS url, h.events AS events, h.secret_enc AS secret_enc,
       toString(h.created_at) AS created_at
