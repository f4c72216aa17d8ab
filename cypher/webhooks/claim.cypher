// Claims up to $limit pending deliveries due by $now (and not claimed by a drain still within
// its lease) until $until under $token, oldest first, with the endpoint's url and sealed
// secret: id, webhook_id, type, body, attempts, expires_at, url, secret_enc.
MATCH (d:WebhookDelivery {state: 'pending'})
WHERE d.next_attempt_at <= $now AND (d.claimed_until IS NULL OR d.claimed_until < $now)
WITH d ORDER BY d.next_attempt_at, d.id LIMIT $limit
// the lock first, then the state again: of two drains at once, one claims
SET d.claim_lock = coalesce(d.claim_lock, 0) + 1
WITH d
WHERE d.state = 'pending' AND (d.claimed_until IS NULL OR d.claimed_until < $now)
MATCH (h:Webhook {key: d.hook_key})
SET d.claimed_until = $until, d.claim = $token
RETURN d.id AS id, d.webhook_id AS webhook_id, d.type AS type, d.body AS body,
       d.attempts AS attempts, toString(d.expires_at) AS expires_at, h.url AS url,
       h.secret_enc AS secret_enc
