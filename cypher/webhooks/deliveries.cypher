// In one row: found (webhook $id exists) and rows, up to $limit of its deliveries of state
// $state (null: any), newest first after the keyset ($after_at, $after_id), each with its
// attempts in order.
OPTIONAL MATCH (h:Webhook {id: $id})
CALL (h) {
  MATCH (d:WebhookDelivery)
  WHERE h IS NOT NULL AND d.hook_key = h.key AND ($state IS NULL OR d.state = $state)
    AND ($after_at IS NULL OR d.created_at < datetime($after_at)
         OR (d.created_at = datetime($after_at) AND d.id < $after_id))
  WITH d ORDER BY d.created_at DESC, d.id DESC LIMIT $limit
  CALL (d) {
    OPTIONAL MATCH (d)-[:ATTEMPT]->(a:WebhookAttempt)
    WITH a ORDER BY a.attempt
    RETURN collect(CASE WHEN a IS NULL THEN null ELSE
             {attempt: a.attempt, at: toString(a.at), status_code: a.status_code,
              error: a.error, duration_ms: a.duration_ms,
              next_retry_at: toString(a.next_retry_at)} END) AS attempts
  }
  RETURN collect({id: d.id, type: d.type, created_at: toString(d.created_at),
                  status: d.state, attempts: attempts,
                  next_retry_at: toString(d.next_attempt_at)}) AS rows
}
RETURN h IS NOT NULL AS found, rows
