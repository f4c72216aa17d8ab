// Stores trained model $model as the next version (one above the highest stored); when
// $model.active it becomes the one active model and the one active before is retired.
// Returns its version.
OPTIONAL MATCH (old:RiskModel)
WITH coalesce(max(old.version), 0) + 1 AS version
CREATE (m:RiskModel {version: version, trained_at: datetime($model.trained_at),
                     trained_by: $model.trained_by, labels: $model.labels,
                     positives: $model.positives, active: $model.active,
                     accepted: $model.accepted, reason: $model.reason,
                     metrics: $model.metrics, params: $model.params})
WITH m
OPTIONAL MATCH (other:RiskModel {active: true})
  WHERE $model.active AND other <> m
WITH m, collect(other) AS others
FOREACH (o IN others | SET o.active = false)
RETURN m.version AS version
