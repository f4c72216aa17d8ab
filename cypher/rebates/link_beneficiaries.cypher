// Links the rebates of $rows {rebate_id, beneficiary} to their users, (Rebate)-[:TO]->(User), in
// the order given (by beneficiary id), as a computation's last statement. Returns linked.
UNWIND $rows AS r
MATCH (rb:Rebate {id: r.rebate_id})
MATCH (b:User {id: r.beneficiary})
CREATE (rb)-[:TO]->(b)
RETURN count(*) AS linked
