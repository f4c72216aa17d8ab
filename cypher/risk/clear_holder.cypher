// Members of ring $ring_id no longer hold their future rebates (the ring was dismissed or
// lapsed).
MATCH (u:User {hold_ring: $ring_id})
REMOVE u.hold_ring
RETURN count(u) AS cleared
