// Blocks until every index is online (after schema creation). No parameters.
CALL db.awaitIndexes(300)
