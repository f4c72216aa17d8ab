// Team bonuses $ids as a refund recomputes them: status, amount, kind, beneficiary, the
// reward's terms, and counted (each order's counted cents, 0 once excluded as fraud, amount
// and refunded cents).
UNWIND $ids AS id
MATCH (rb:Rebate {id: id})
OPTIONAL MATCH (o:Order)-[c:COUNTED_IN]->(rb)
RETURN rb.id AS rebate_id, rb.status AS status, rb.amount_cents AS amount_cents,
       rb.kind AS kind, rb.beneficiary AS beneficiary, rb.threshold_cents AS threshold_cents,
       rb.bonus_cents AS bonus_cents, rb.bonus_bp AS bonus_bp,
       collect({cents: CASE WHEN c.excluded_by IS NULL THEN c.cents ELSE 0 END,
                amount_cents: o.amount_cents,
                refunded_cents: coalesce(o.refunded_cents, 0)}) AS counted
