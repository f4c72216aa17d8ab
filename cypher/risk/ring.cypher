// One ring: its properties (the score's model version and drivers among them), members
// (sorted), the money held on its members' orders and team bonuses per kind (by the ring or
// by a member's own signals; a team bonus is cash) and its decision.
MATCH (ring:Ring {id: $ring_id})
OPTIONAL MATCH (u:User)-[:MEMBER_OF]->(ring)
WITH ring, u ORDER BY u.id
WITH ring, collect(u.id) AS members, collect(u) AS users
CALL (users) {
  UNWIND users AS m
  CALL (m) {
    MATCH (m)-[:PLACED]->(:Order)-[:EARNS]->(rb:Rebate {status: 'held'})
    RETURN rb
    UNION
    MATCH (rb:Rebate)
    USING INDEX rb:Rebate(beneficiary, period)
    WHERE rb.beneficiary = m.id AND rb.period IS NOT NULL AND rb.kind = 'team_bonus'
      AND rb.status = 'held'
    RETURN rb
  }
  WITH CASE WHEN rb.kind = 'team_bonus' THEN 'cash' ELSE rb.kind END AS kind,
       sum(rb.amount_cents) AS cents, count(rb) AS n
  RETURN collect({kind: kind, cents: cents, rebates: n}) AS held
}
RETURN ring.id AS ring_id, ring.score AS score, ring.status AS status, ring.size AS size,
       ring.reasons AS reasons, ring.features AS features, members,
       ring.rule_score AS rule_score, ring.model_version AS model_version,
       ring.drivers AS drivers,
       ring.detected_at AS detected_at, ring.decision AS decision,
       ring.decided_by AS decided_by, ring.decided_at AS decided_at, ring.note AS note,
       held
