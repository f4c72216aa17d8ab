// Records manual adjustment $a {id, user_id, kind, amount_cents, reason, actor} at $now.
CREATE (a:Adjustment {id: $a.id, user_id: $a.user_id, kind: $a.kind,
        amount_cents: $a.amount_cents, reason: $a.reason, actor: $a.actor, at: $now})
RETURN a.id AS id
