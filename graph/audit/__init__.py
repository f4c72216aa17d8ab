"""Audit: the hash-chained log in Neo4j and its seals in a separate Redis."""
