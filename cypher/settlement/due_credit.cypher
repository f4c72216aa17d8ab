// Up to $limit payable rebates (payable as of $as_of): a settlement run credits them.
MATCH (rb:Rebate {status: 'payable'})
WHERE rb.payable_at <= $as_of
RETURN rb.id AS rebate_id, rb.amount_cents AS amount_cents, rb.kind AS kind,
       rb.beneficiary AS beneficiary, rb.payable_at AS due
ORDER BY due, rebate_id
LIMIT $limit
