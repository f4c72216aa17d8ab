// Links new orders of $rows {order_id, payment_account} to the account they were paid with.
UNWIND $rows AS r
MATCH (o:Order {id: r.order_id})
MERGE (pa:PaymentAccount {id: r.payment_account})
CREATE (o)-[:PAID_WITH]->(pa)
RETURN count(*) AS created
