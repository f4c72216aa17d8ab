// Records that the run of team reward $reward_id for $period finished at $now with $result
// (JSON text). Returns id.
MATCH (r:TeamRewardRun {id: $reward_id + ':' + $period})
SET r.completed_at = datetime($now), r.result = $result, r.runs = coalesce(r.runs, 0) + 1
RETURN r.id AS id
