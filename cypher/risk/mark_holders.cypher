// Sets which ring holds the future rebates of its members: each user of $holds [{ring_id,
// members}] gets hold_ring; users who held for a ring not in $holds lose it.
MATCH (u:User) WHERE u.hold_ring IS NOT NULL AND NOT u.hold_ring IN [h IN $holds | h.ring_id]
REMOVE u.hold_ring
WITH count(u) AS cleared
UNWIND $holds AS h
UNWIND h.members AS member_id
MATCH (u:User {id: member_id})
SET u.hold_ring = h.ring_id
RETURN cleared, count(u) AS marked
