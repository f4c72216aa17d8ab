// Marks the orders placed by $user_ids (confirmed fraud by $by at $at) as counting nothing
// towards the team bonuses $ids that counted them (COUNTED_IN excluded_by, kept if set).
// Returns excluded.
UNWIND $user_ids AS user_id
MATCH (:User {id: user_id})-[:PLACED]->(:Order)-[c:COUNTED_IN]->(rb:Rebate)
WHERE rb.id IN $ids AND c.excluded_by IS NULL
SET c.excluded_by = $by, c.excluded_at = datetime($at)
RETURN count(c) AS excluded
