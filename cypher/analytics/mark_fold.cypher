// Moves the growth fold's watermark to $watermark (ISO; never back) and stamps $now; once
// $months_built, the ROI month rows are kept from then on (months_built).
MERGE (s:FoldState {id: 'growth'})
SET s.watermark = CASE WHEN s.watermark IS NULL OR s.watermark < datetime($watermark)
                       THEN datetime($watermark) ELSE s.watermark END,
    s.folded_at = datetime($now),
    s.months_built = coalesce(s.months_built, false) OR $months_built
RETURN toString(s.watermark) AS watermark
