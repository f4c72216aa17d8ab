// Stores withdrawal $w {id, user_id, amount_cents, status} created at $now, unless one with its
// id exists (asked at once for another user): created is false then. Found through user_id.
MERGE (w:Withdrawal {id: $w.id})
  ON CREATE SET w.user_id = $w.user_id, w.amount_cents = $w.amount_cents, w.status = $w.status,
                w.approvals = [], w.created_at = $now, w.updated_at = $now, w.created_tx = $token
WITH w, w.created_tx = $token AS created
FOREACH (_ IN CASE WHEN created THEN [1] ELSE [] END | REMOVE w.created_tx)
RETURN coalesce(created, false) AS created
