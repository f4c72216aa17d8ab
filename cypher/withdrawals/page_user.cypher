// Whether user $user_id exists (found) and up to $limit of its withdrawals (of $status when not
// null), newest first, after the keyset ($after_at, $after_id) when $after_at is not null (rows).
OPTIONAL MATCH (u:User {id: $user_id})
CALL () {
  OPTIONAL MATCH (w:Withdrawal {user_id: $user_id})
  WHERE ($status IS NULL OR w.status = $status)
    AND ($after_at IS NULL OR w.created_at < $after_at
         OR (w.created_at.epochSeconds = $after_at.epochSeconds
             AND w.created_at.nanosecond = $after_at.nanosecond AND w.id < $after_id))
  WITH w ORDER BY w.created_at DESC, w.id DESC LIMIT $limit
  RETURN collect(w {withdrawal_id: w.id, .user_id, .amount_cents, .status, .reason, .note,
                    .approvals, created_at: toString(w.created_at),
                    updated_at: toString(w.updated_at), .gateway_state}) AS rows
}
RETURN u IS NOT NULL AS found, rows
