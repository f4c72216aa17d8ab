// The growth fold's watermark (no row before the first fold): everything written before it
// is in the aggregates; and whether the ROI month rows are kept.
MATCH (s:FoldState {id: 'growth'})
RETURN toString(s.watermark) AS watermark, toString(s.folded_at) AS folded_at,
       coalesce(s.months_built, false) AS months_built
