// Creates the default rule (tiers $tiers bp, cash, all categories) if it does not exist yet.
MERGE (r:Rule {id: 'default'})
  ON CREATE SET r.tiers = $tiers, r.kind = 'cash', r.category = null, r.priority = 0,
                r.status = 'active', r.created_at = $now, r.created_by = 'system'
RETURN r.id AS id
