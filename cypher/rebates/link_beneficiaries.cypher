// Links the new rebates of $rows {rebate_id, beneficiary} to their beneficiaries,
// (Rebate)-[:TO]->(User), in the order given (ascending beneficiary id: see LOCK ORDER in
// graph/ingest/batch.py). The last statement of a computation, so that its users stay locked for
// as short a time as possible. Returns how many were linked.
UNWIND $rows AS r
MATCH (rb:Rebate {id: r.rebate_id})
MATCH (b:User {id: r.beneficiary})
CREATE (rb)-[:TO]->(b)
RETURN count(*) AS linked
