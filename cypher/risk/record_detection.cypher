// Records a successful detection run $run {id, mode, seed, scorer, since, at} for the next one
// on the one DetectionState node; full_at moves to `at` when the run was full. Returns since.
MERGE (s:DetectionState)
SET s.since = datetime($run.since), s.seed = $run.seed, s.scorer = $run.scorer,
    s.run_id = $run.id, s.mode = $run.mode, s.run_at = datetime($run.at),
    s.full_at = CASE WHEN $run.mode = 'full' THEN datetime($run.at) ELSE s.full_at END
RETURN s.since AS since
