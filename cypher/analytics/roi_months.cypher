// The months holding ROI day rows ('YYYY-MM'): what the month rows are built from the first
// time (a store folded before months were kept). Returns rows.
MATCH (d:RoiDay)
WITH DISTINCT substring(d.day, 0, 7) AS month
ORDER BY month
RETURN collect(month) AS rows
