// How many rebates created from $since (those of that instant only after id $after_id) are not
// checked yet, counting up to $cap (the answer must stay quick however far behind it is).
CALL {
  MATCH (rb:Rebate) USING INDEX rb:Rebate(created_at)
  WHERE rb.created_at > datetime($since)
  WITH rb LIMIT $cap
  RETURN count(rb) AS later
}
CALL {
  MATCH (rb:Rebate) USING INDEX rb:Rebate(created_at)
  WHERE rb.created_at = datetime($since) AND rb.id > $after_id
  RETURN count(rb) AS same
}
RETURN later + same AS pending
