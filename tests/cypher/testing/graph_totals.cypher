// Test support: how many nodes carry each label and how many relationships of each type
// the whole graph holds (the hostile-input tests check an attempt changed nothing else).
MATCH (n)
UNWIND labels(n) AS name
RETURN 'node' AS kind, name, count(*) AS count
UNION ALL
MATCH ()-[r]->()
RETURN 'relationship' AS kind, type(r) AS name, count(r) AS count
