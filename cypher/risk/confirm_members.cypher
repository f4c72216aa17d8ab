// Members of confirmed ring $ring_id: their future rebates are void (ring_confirmed) and no
// longer merely held.
MATCH (u:User)-[:MEMBER_OF]->(:Ring {id: $ring_id})
SET u.risk_confirmed = $ring_id
REMOVE u.hold_ring
RETURN count(u) AS members
