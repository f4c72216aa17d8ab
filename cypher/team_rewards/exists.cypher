// Whether a team reward with id $id exists.
MATCH (t:TeamReward {id: $id})
RETURN count(t) > 0 AS found
