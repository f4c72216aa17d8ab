// The database's clock and the start of the oldest transaction open now: a write open now may
// commit after a detection run has read the graph, so the next run looks back to its start.
SHOW TRANSACTIONS YIELD startTime
RETURN datetime() AS now, min(datetime(startTime)) AS oldest
