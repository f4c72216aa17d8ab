// Stored tier reports newest first: $limit of those with an id under $before (the caller
// passes "~", above every id, for the first page), for GET /v1/compliance/tier-reports
// (keyset paging on the id).
MATCH (r:TierReport)
WHERE r.id < $before
RETURN r.document AS document
ORDER BY r.id DESC
LIMIT $limit
