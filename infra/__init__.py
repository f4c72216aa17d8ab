"""The local stack: Neo4j from Maven jars, Redis, Celery and the API as processes."""
