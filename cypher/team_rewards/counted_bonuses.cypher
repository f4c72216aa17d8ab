// The team bonuses not void that counted any of the orders $ids: ids, sorted.
UNWIND $ids AS id
MATCH (:Order {id: id})-[:COUNTED_IN]->(rb:Rebate)
WHERE rb.status <> 'void'
WITH DISTINCT rb.id AS rebate_id ORDER BY rebate_id
RETURN collect(rebate_id) AS ids
