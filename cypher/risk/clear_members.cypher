// Members of dismissed ring $ring_id: an analyst looked and cleared them, so neither the ring
// nor their own cheap signals hold their future rebates.
MATCH (u:User)-[:MEMBER_OF]->(:Ring {id: $ring_id})
SET u.risk_cleared = true
REMOVE u.hold_ring
RETURN count(u) AS members
