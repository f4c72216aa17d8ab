// The growth fold's watermark (no row before the first fold): everything written before it
// is in the aggregates.
MATCH (s:FoldState {id: 'growth'})
RETURN toString(s.watermark) AS watermark, toString(s.folded_at) AS folded_at
