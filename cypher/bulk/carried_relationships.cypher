// Every relationship of a store without users, by its nodes' element ids, type and
// properties, so the bulk first load carries them over neo4j-admin's overwrite.
MATCH (a)-[r]->(b)
RETURN elementId(a) AS start, elementId(b) AS end, type(r) AS type, properties(r) AS props
