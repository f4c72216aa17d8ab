// Ends the hold of the rebates of $rows {rebate_id, status, reason}: back to the status they
// had (dismissed, lapsed) or void with ring_confirmed. Returns the ids changed.
UNWIND $rows AS r
MATCH (rb:Rebate {id: r.rebate_id})
WHERE rb.status = 'held'
SET rb.status = r.status, rb.reason = r.reason, rb.released_at = datetime($at)
REMOVE rb.held_from, rb.held_reason
RETURN collect(rb.id) AS released
