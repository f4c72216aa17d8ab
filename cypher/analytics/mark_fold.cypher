// Moves the growth fold's watermark to $watermark (ISO; never back) and stamps $now.
MERGE (s:FoldState {id: 'growth'})
SET s.watermark = CASE WHEN s.watermark IS NULL OR s.watermark < datetime($watermark)
                       THEN datetime($watermark) ELSE s.watermark END,
    s.folded_at = datetime($now)
RETURN toString(s.watermark) AS watermark
