"""tiergraph domain logic: the invite graph, rebates and compliance, and all Neo4j access."""
