// One stored tier report's document by $id, or no row.
MATCH (r:TierReport {id: $id})
RETURN r.document AS document
