// Team rewards (only $id when it is not null), newest first, with status and retired_at.
MATCH (t:TeamReward)
WHERE $id IS NULL OR t.id = $id
RETURN t.id AS id, t.threshold_cents AS threshold_cents, t.bonus_cents AS bonus_cents,
       t.bonus_bp AS bonus_bp, t.period AS period, t.depth AS depth, t.category AS category,
       t.starts_at AS starts_at, t.ends_at AS ends_at, t.status AS status,
       t.created_at AS created_at, t.created_by AS created_by, t.retired_at AS retired_at
ORDER BY t.created_at DESC, t.id
