// Of the rebate ids $ids, those stored already: ids.
UNWIND $ids AS id
MATCH (rb:Rebate {id: id})
RETURN collect(rb.id) AS ids
