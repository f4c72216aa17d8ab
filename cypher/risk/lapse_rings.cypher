// Open rings that run $run_id did not find again become `lapsed` (their holds are released
// by the caller) and lose their memberships; an incremental run keeps the rings $kept as they
// are. Returns their ids.
MATCH (ring:Ring {status: 'open'})
WHERE ring.run_id <> $run_id AND NOT ring.id IN $kept
// the ring's decision lock first, then its status: a ring decided meanwhile stays decided
SET ring.decide_lock = coalesce(ring.decide_lock, 0) + 1
WITH ring
WHERE ring.status = 'open'
SET ring.status = 'lapsed', ring.lapsed_at = datetime($at)
WITH ring
CALL (ring) {
  MATCH (:User)-[m:MEMBER_OF]->(ring)
  DELETE m
}
RETURN collect(ring.id) AS lapsed
