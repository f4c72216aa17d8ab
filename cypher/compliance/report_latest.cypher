// The newest stored tier report's document (ids sort by generation time: the id index read
// backwards), or no row.
MATCH (r:TierReport)
WHERE r.id > '' AND r.status = 'complete'
RETURN r.document AS document
ORDER BY r.id DESC
LIMIT 1
