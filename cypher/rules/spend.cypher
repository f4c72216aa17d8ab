// Adds $rows {id, cents} to the spent_cents of campaign rules already locked by
// rules.lock_budgets in the same transaction. Returns how many rules were charged.
UNWIND $rows AS row
MATCH (r:Rule {id: row.id})
SET r.spent_cents = coalesce(r.spent_cents, 0) + row.cents
RETURN count(r) AS charged
