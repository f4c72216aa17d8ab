// Whether a rule with id $id exists.
MATCH (r:Rule {id: $id})
RETURN count(r) > 0 AS found
