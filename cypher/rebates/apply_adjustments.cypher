// Sets amount, status and reason of the rebates of $rows {rebate_id, amount_cents, status,
// reason} (after a refund; the matching ledger entries are booked in the same transaction).
UNWIND $rows AS r
MATCH (rb:Rebate {id: r.rebate_id})
SET rb.amount_cents = r.amount_cents, rb.status = r.status, rb.reason = r.reason
RETURN count(rb) AS adjusted
