// Takes the write lock of the rebates $ids (sorted by the caller) with a fresh token that
// reads nothing, so that what is read next is current. Returns locked.
UNWIND $ids AS id
MATCH (rb:Rebate {id: id})
SET rb.lock_token = randomUUID()
RETURN count(rb) AS locked
