// Sets status, reason, approvals and gateway_state of withdrawal $id at $now.
MATCH (w:Withdrawal {id: $id})
SET w.status = $status, w.reason = $reason, w.approvals = $approvals,
    w.gateway_state = $gateway_state, w.updated_at = $now
RETURN w.id AS id
