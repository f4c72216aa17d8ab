// Which of the orders $ids exist and whether their rebates are computed (the read-only fast
// path), in one row: rows is a list of {id, computed}.
UNWIND $ids AS id
MATCH (o:Order {id: id})
RETURN collect({id: o.id, computed: o.rebates_computed}) AS rows
