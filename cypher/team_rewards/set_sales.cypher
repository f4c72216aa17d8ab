// Sets the team sales of the team bonuses of $rows {rebate_id, team_sales_cents} after a
// refund lowered them. Returns updated.
UNWIND $rows AS r
MATCH (rb:Rebate {id: r.rebate_id})
SET rb.team_sales_cents = r.team_sales_cents
RETURN count(rb) AS updated
