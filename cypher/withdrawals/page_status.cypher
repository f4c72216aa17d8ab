// Up to $limit withdrawals of status $status (the review queue: pending_review), oldest first,
// after the keyset ($after_at, $after_id) when $after_at is not null. Columns of withdrawals.get.
MATCH (w:Withdrawal {status: $status})
WHERE $after_at IS NULL OR w.created_at > $after_at
      OR (w.created_at.epochSeconds = $after_at.epochSeconds
          AND w.created_at.nanosecond = $after_at.nanosecond AND w.id > $after_id)
RETURN w.id AS withdrawal_id, w.user_id AS user_id, w.amount_cents AS amount_cents,
       w.status AS status, w.reason AS reason, w.note AS note, w.approvals AS approvals,
       toString(w.created_at) AS created_at, toString(w.updated_at) AS updated_at,
       w.gateway_state AS gateway_state
ORDER BY w.created_at, w.id
LIMIT $limit
