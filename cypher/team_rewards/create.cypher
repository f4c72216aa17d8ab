// Stores a new active team reward from $reward (id, terms, category, window, created_by) at
// $now. Fails on an existing id.
CREATE (t:TeamReward {id: $reward.id, threshold_cents: $reward.threshold_cents,
        bonus_cents: $reward.bonus_cents, bonus_bp: $reward.bonus_bp, period: $reward.period,
        depth: $reward.depth, category: $reward.category,
        starts_at: CASE WHEN $reward.starts_at IS NULL THEN null
                        ELSE datetime($reward.starts_at) END,
        ends_at: CASE WHEN $reward.ends_at IS NULL THEN null ELSE datetime($reward.ends_at) END,
        status: 'active', created_at: $now, created_by: $reward.created_by})
RETURN t.id AS id
