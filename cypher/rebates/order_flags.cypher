// Which of the orders $ids exist and whether their rebates are computed (the read-only fast path).
UNWIND $ids AS id
MATCH (o:Order {id: id})
RETURN o.id AS id, o.rebates_computed AS computed
