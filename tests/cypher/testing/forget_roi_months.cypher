// Tests: the growth aggregates as a store folded before ROI month rows were kept.
MATCH (s:FoldState {id: 'growth'})
SET s.months_built = null
WITH count(s) AS states
OPTIONAL MATCH (m:RoiMonth)
DETACH DELETE m
RETURN states
