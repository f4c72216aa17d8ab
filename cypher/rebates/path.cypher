// The path certificate of rebate $rebate_id: buyer ... beneficiary as the graph stood at payment.
MATCH (rb:Rebate {id: $rebate_id})
RETURN rb.id AS rebate_id, rb.tier AS tier, rb.path AS path, rb.paid_at AS paid_at,
       rb.order_id AS order_id, rb.beneficiary AS beneficiary, rb.amount_cents AS amount_cents,
       rb.kind AS kind
