// A full run's page of rebate ids, by id after $after ("": from the first): those created
// before $before, or with no created_at (written around the application). The rebates
// created since $before are checked by creation time (compliance.rebates_since).
MATCH (rb:Rebate)
WHERE rb.id > $after
  AND (rb.created_at IS NULL OR rb.created_at < datetime($before))
RETURN rb.id AS id
ORDER BY rb.id
LIMIT $limit
