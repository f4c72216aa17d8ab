// Stored refunds among $ids and their fingerprints, for replays. One row: rows is a list
// of {id, fp}.
UNWIND $ids AS id
MATCH (f:Refund {id: id})
RETURN collect({id: f.id, fp: f.fp}) AS rows
