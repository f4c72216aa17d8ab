// Stores a new active rule from $rule {id, tiers, kind, category, starts_at, ends_at,
// priority, level_bonus_bp, return_window_days, settlement_delay_days, budget_cents,
// created_by} at $now (a campaign starts with nothing spent). Fails on an existing id (unique constraint).
CREATE (r:Rule {id: $rule.id, tiers: $rule.tiers, kind: $rule.kind, category: $rule.category,
        starts_at: CASE WHEN $rule.starts_at IS NULL THEN null ELSE datetime($rule.starts_at) END,
        ends_at: CASE WHEN $rule.ends_at IS NULL THEN null ELSE datetime($rule.ends_at) END,
        priority: $rule.priority, level_bonus_bp: $rule.level_bonus_bp, status: 'active',
        return_window_days: $rule.return_window_days,
        settlement_delay_days: $rule.settlement_delay_days,
        budget_cents: $rule.budget_cents,
        spent_cents: CASE WHEN $rule.budget_cents IS NULL THEN null ELSE 0 END,
        created_at: $now, created_by: $rule.created_by})
RETURN r.id AS id
