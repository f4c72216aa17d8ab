// Every node of a store without users (rules, keys, audit entries...), with its labels and
// properties, so the bulk first load carries them over neo4j-admin's overwrite.
MATCH (n)
RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props
