// The mall days (in time zone $tz, 'YYYY-MM-DD') whose ROI rows changed since $since (ISO):
// days of orders received, rebates created, held, released or voided, team bonuses lowered
// (the last day of their month: paid at its end), and refunded orders of buyers written to
// (a refund stamps its buyer's touched_at), all by indexed times. Returns rows.
CALL () {
  MATCH (o:Order) WHERE o.received_at >= datetime($since)
  RETURN o.paid_at AS paid_at
  UNION
  CALL () {
    MATCH (rb:Rebate) WHERE rb.created_at >= datetime($since)
    RETURN rb
    UNION
    MATCH (rb:Rebate) WHERE rb.held_at >= datetime($since)
    RETURN rb
    UNION
    MATCH (rb:Rebate) WHERE rb.released_at >= datetime($since)
    RETURN rb
    UNION
    MATCH (rb:Rebate) WHERE rb.voided_at >= datetime($since)
    RETURN rb
    UNION
    MATCH (rb:Rebate) WHERE rb.adjusted_at >= datetime($since)
    RETURN rb
  }
  RETURN CASE WHEN rb.kind = 'team_bonus' THEN rb.paid_at - duration({seconds: 1})
              ELSE rb.paid_at END AS paid_at
  UNION
  MATCH (u:User) WHERE u.touched_at >= datetime($since)
  MATCH (u)-[:PLACED]->(o:Order) WHERE o.refunded_cents > 0
  RETURN o.paid_at AS paid_at
}
WITH DISTINCT toString(date(datetime({datetime: paid_at, timezone: $tz}))) AS day
WHERE day IS NOT NULL
RETURN collect(day) AS rows
