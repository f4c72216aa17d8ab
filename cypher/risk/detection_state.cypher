// What the last successful detection run left for the next (graph/risk/runs.py): since (writes
// from then on may be unseen), its seed and scorer, the start of the last full run. No row at
// first.
MATCH (s:DetectionState)
RETURN s.since AS since, s.seed AS seed, s.scorer AS scorer, s.full_at AS full_at
