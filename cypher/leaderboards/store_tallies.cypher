// Recounts the tallies $rows {user_id, period, start, end} (ISO bounds) at $now: invitees
// registered in the period, their orders paid in it, and the user's rebates (not points, not
// void) created in it. A tally of nothing is removed. Returns stored.
UNWIND $rows AS r
CALL (r) {
  OPTIONAL MATCH (:User {id: r.user_id})-[:INVITED]->(v:User)
  WHERE v.registered_at >= datetime(r.start) AND v.registered_at < datetime(r.end)
  // from each invitee to its own orders (never the period's orders to the invitee)
  WITH v, CASE WHEN v IS NULL THEN 0 ELSE size([(v)-[:PLACED]->(o:Order)
       WHERE o.paid_at >= datetime(r.start) AND o.paid_at < datetime(r.end) | o]) END AS bought
  RETURN count(v) AS invitees, sum(bought) AS orders
}
CALL (r) {
  OPTIONAL MATCH (rb:Rebate {beneficiary: r.user_id})
  WHERE rb.created_at >= datetime(r.start) AND rb.created_at < datetime(r.end)
    AND rb.kind <> 'points' AND rb.status <> 'void'
  RETURN coalesce(sum(rb.amount_cents), 0) AS rebate_cents
}
MERGE (t:InviteTally {period: r.period, user_id: r.user_id})
SET t.invitees = invitees, t.orders = orders, t.rebate_cents = rebate_cents,
    t.folded_at = datetime($now)
WITH t, invitees + orders + rebate_cents = 0 AS empty
CALL (t, empty) {
  WITH t WHERE empty
  DELETE t
}
RETURN count(*) AS stored
