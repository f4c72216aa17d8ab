// Tests: how many ROI month rows are stored.
MATCH (m:RoiMonth)
RETURN count(m) AS months
