// One ring: its properties (the score's model version and drivers among them), members
// (sorted), the money held on its members' orders per kind (by the ring or by a member's own
// signals) and its decision.
MATCH (ring:Ring {id: $ring_id})
OPTIONAL MATCH (u:User)-[:MEMBER_OF]->(ring)
WITH ring, u ORDER BY u.id
WITH ring, collect(u.id) AS members, collect(u) AS users
OPTIONAL MATCH (m:User)-[:PLACED]->(:Order)-[:EARNS]->(held:Rebate {status: 'held'})
  WHERE m IN users
WITH ring, members, held.kind AS kind, sum(held.amount_cents) AS cents, count(held) AS n
RETURN ring.id AS ring_id, ring.score AS score, ring.status AS status, ring.size AS size,
       ring.reasons AS reasons, ring.features AS features, members,
       ring.rule_score AS rule_score, ring.model_version AS model_version,
       ring.drivers AS drivers,
       ring.detected_at AS detected_at, ring.decision AS decision,
       ring.decided_by AS decided_by, ring.decided_at AS decided_at, ring.note AS note,
       collect(CASE WHEN kind IS NULL THEN NULL ELSE {kind: kind, cents: cents, rebates: n} END) AS held
