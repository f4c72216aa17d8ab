// Of the run ids $ids ("<reward>:<period>"), those that finished at least once: ids.
UNWIND $ids AS id
MATCH (r:TeamRewardRun {id: id})
WHERE r.completed_at IS NOT NULL
RETURN collect(r.id) AS ids
