// Stored refunds among $ids and their fingerprints, for replays.
UNWIND $ids AS id
MATCH (f:Refund {id: id})
RETURN f.id AS id, f.fp AS fp
