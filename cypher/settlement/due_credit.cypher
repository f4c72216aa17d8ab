// Up to $limit payable rebates (payable as of $as_of): a settlement run credits them.
// $ids, when not null, limits the run to those rebates (released from a risk hold).
MATCH (rb:Rebate {status: 'payable'})
WHERE rb.payable_at <= $as_of AND ($ids IS NULL OR rb.id IN $ids)
RETURN rb.id AS rebate_id, rb.amount_cents AS amount_cents, rb.kind AS kind,
       rb.beneficiary AS beneficiary, toString(rb.payable_at) AS due
ORDER BY rb.id
LIMIT $limit
