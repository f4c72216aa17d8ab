// One withdrawal by $id (no row if unknown).
MATCH (w:Withdrawal {id: $id})
RETURN w.id AS withdrawal_id, w.user_id AS user_id, w.amount_cents AS amount_cents,
       w.status AS status, w.reason AS reason, w.note AS note, w.approvals AS approvals,
       toString(w.created_at) AS created_at, toString(w.updated_at) AS updated_at,
       w.gateway_state AS gateway_state
