// Open rings that run $run_id did not find again become `lapsed` (their holds are released
// by the caller) and lose their memberships. Returns their ids.
MATCH (ring:Ring {status: 'open'})
WHERE ring.run_id <> $run_id
SET ring.status = 'lapsed', ring.lapsed_at = datetime($at)
WITH ring
CALL (ring) {
  MATCH (:User)-[m:MEMBER_OF]->(ring)
  DELETE m
}
RETURN collect(ring.id) AS lapsed
