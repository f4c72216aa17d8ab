// Records an analyst's decision on an open ring: status confirmed or dismissed, who, when,
// note. Returns the ring's previous status (null when there is no such ring).
MATCH (ring:Ring {id: $ring_id})
WITH ring, ring.status AS before
SET ring.status = $status, ring.decision = $decision, ring.decided_by = $actor,
    ring.decided_at = datetime($at), ring.note = $note
RETURN before
