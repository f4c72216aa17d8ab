// Closes withdrawal $id (its reserve given back by the caller): status $status, $reason and
// $note at $now. Returns id.
MATCH (w:Withdrawal {id: $id})
SET w.status = $status, w.reason = $reason, w.note = $note, w.updated_at = $now
RETURN w.id AS id
