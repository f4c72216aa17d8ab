// How many invite edges created from $since (those of that instant only after invitee
// $after_id) are not checked yet, counting up to $cap.
CALL {
  MATCH ()-[e:INVITED]->() USING INDEX e:INVITED(created_at)
  WHERE e.created_at > datetime($since)
  WITH e LIMIT $cap
  RETURN count(e) AS later
}
CALL {
  MATCH ()-[e:INVITED]->(u:User) USING INDEX e:INVITED(created_at)
  WHERE e.created_at = datetime($since) AND u.id > $after_id
  RETURN count(e) AS same
}
RETURN later + same AS pending
