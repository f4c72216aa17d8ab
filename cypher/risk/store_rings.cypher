// Stores $rings [{ring_id, score, rule_score, model_version, drivers, size, reasons, features,
// members}] of run $run {id, at}: a new ring is open, a known one keeps its status;
// memberships replaced. `score` is the active model's (or the rules'). Returns stored.
UNWIND $rings AS r
MERGE (ring:Ring {id: r.ring_id})
  ON CREATE SET ring.status = 'open', ring.first_detected_at = datetime($run.at)
SET ring.score = r.score, ring.size = r.size, ring.reasons = r.reasons,
    ring.features = r.features, ring.run_id = $run.id, ring.detected_at = datetime($run.at),
    ring.rule_score = r.rule_score, ring.model_version = r.model_version,
    ring.drivers = r.drivers
WITH ring, r
CALL (ring) {
  MATCH (:User)-[m:MEMBER_OF]->(ring)
  DELETE m
}
CALL (ring, r) {
  UNWIND r.members AS member_id
  MATCH (u:User {id: member_id})
  CREATE (u)-[:MEMBER_OF]->(ring)
}
RETURN count(ring) AS stored
