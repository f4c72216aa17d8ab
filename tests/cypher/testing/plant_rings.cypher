// Test only: stores rings $rings [{ring_id, score, status, members, hold}] as detection and
// decisions leave them (members MEMBER_OF; `hold` marks the members' hold_ring, a confirmed
// ring their risk_confirmed). Returns planted.
UNWIND $rings AS r
MERGE (ring:Ring {id: r.ring_id})
SET ring.score = r.score, ring.status = r.status, ring.size = size(r.members),
    ring.reasons = ['shared_device'], ring.first_detected_at = datetime(),
    ring.detected_at = datetime()
WITH ring, r
UNWIND r.members AS member_id
MATCH (u:User {id: member_id})
MERGE (u)-[:MEMBER_OF]->(ring)
FOREACH (_ IN CASE WHEN r.hold THEN [1] ELSE [] END | SET u.hold_ring = r.ring_id)
FOREACH (_ IN CASE WHEN r.status = 'confirmed' THEN [1] ELSE [] END |
  SET u.risk_confirmed = r.ring_id)
RETURN count(*) AS planted
