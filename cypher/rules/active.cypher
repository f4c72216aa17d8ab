// Every active rule, as the rule maths needs it.
MATCH (r:Rule {status: 'active'})
RETURN r.id AS id, r.tiers AS tiers, r.kind AS kind, r.category AS category,
       r.starts_at AS starts_at, r.ends_at AS ends_at, r.priority AS priority,
       r.created_at AS created_at, coalesce(r.level_bonus_bp, 0) AS level_bonus_bp
