// Every rule, newest first, with its status.
MATCH (r:Rule)
RETURN r.id AS id, r.tiers AS tiers, r.kind AS kind, r.category AS category,
       r.starts_at AS starts_at, r.ends_at AS ends_at, r.priority AS priority,
       coalesce(r.level_bonus_bp, 0) AS level_bonus_bp, r.status AS status,
       r.created_at AS created_at, r.created_by AS created_by,
       r.return_window_days AS return_window_days,
       r.settlement_delay_days AS settlement_delay_days,
       r.budget_cents AS budget_cents,
       CASE WHEN r.budget_cents IS NULL THEN null ELSE coalesce(r.spent_cents, 0) END
           AS spent_cents
ORDER BY r.created_at DESC, r.id
