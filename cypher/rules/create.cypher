// Stores a new active rule from $rule {id, tiers, kind, category, starts_at, ends_at,
// priority, level_bonus_bp, created_by} at $now. Fails on an existing id (unique constraint).
CREATE (r:Rule {id: $rule.id, tiers: $rule.tiers, kind: $rule.kind, category: $rule.category,
        starts_at: CASE WHEN $rule.starts_at IS NULL THEN null ELSE datetime($rule.starts_at) END,
        ends_at: CASE WHEN $rule.ends_at IS NULL THEN null ELSE datetime($rule.ends_at) END,
        priority: $rule.priority, level_bonus_bp: $rule.level_bonus_bp, status: 'active',
        created_at: $now, created_by: $rule.created_by})
RETURN r.id AS id
