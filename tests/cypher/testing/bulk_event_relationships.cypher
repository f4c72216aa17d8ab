// Test support: every relationship between the event writes' nodes, by type, its ends' keys
// and its properties, to compare a bulk first load with a normal import.
MATCH (a)-[r]->(b)
WHERE type(r) IN ['INVITED', 'USED', 'SEEN_AT', 'PLACED', 'FROM_DEVICE', 'FROM_IP', 'PAID_WITH',
                  'SHIPS_TO', 'REFUNDED_BY']
RETURN type(r) AS type, coalesce(a.id, a.addr) AS start, coalesce(b.id, b.addr) AS end,
       properties(r) AS props
