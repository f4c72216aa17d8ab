// Logs the attempts $rows {delivery_id, attempt, at, status_code, error, duration_ms, state,
// next_attempt_at} and moves each delivery on: delivered, failed, or pending until its next
// attempt (a delivery cancelled meanwhile stays cancelled). Returns recorded.
UNWIND $rows AS r
MATCH (d:WebhookDelivery {id: r.delivery_id})
CREATE (d)-[:ATTEMPT]->(:WebhookAttempt {delivery_id: r.delivery_id, attempt: r.attempt,
        at: datetime(r.at), status_code: r.status_code, error: r.error,
        duration_ms: r.duration_ms,
        next_retry_at: CASE WHEN r.next_attempt_at IS NULL THEN null
                            ELSE datetime(r.next_attempt_at) END})
SET d.attempts = CASE WHEN r.attempt > d.attempts THEN r.attempt ELSE d.attempts END,
    d.last_attempt_at = datetime(r.at), d.claimed_until = null, d.claim = null
WITH d, r
WHERE d.state = 'pending'
SET d.state = r.state,
    d.next_attempt_at = CASE WHEN r.next_attempt_at IS NULL THEN null
                             ELSE datetime(r.next_attempt_at) END,
    d.delivered_at = CASE WHEN r.state = 'delivered' THEN datetime(r.at) ELSE d.delivered_at END
RETURN count(d) AS recorded
