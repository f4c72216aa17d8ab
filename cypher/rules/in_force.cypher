// Every rule that is or was in force (active, or retired with retired_at), as the rule maths
// needs it: a rule retired after an order's payment still pays that order.
MATCH (r:Rule)
WHERE r.status IN ['active', 'retired']
RETURN r.id AS id, r.tiers AS tiers, r.kind AS kind, r.category AS category,
       r.starts_at AS starts_at, r.ends_at AS ends_at, r.priority AS priority,
       r.created_at AS created_at, coalesce(r.level_bonus_bp, 0) AS level_bonus_bp,
       CASE WHEN r.status = 'retired' THEN r.retired_at END AS retired_at,
       r.return_window_days AS return_window_days,
       r.settlement_delay_days AS settlement_delay_days,
       r.budget_cents AS budget_cents, coalesce(r.spent_cents, 0) AS spent_cents
