// A manual adjustment by $id (no row if unknown).
MATCH (a:Adjustment {id: $id})
RETURN a.id AS adjustment_id, a.user_id AS user_id, a.kind AS kind,
       a.amount_cents AS amount_cents, a.reason AS reason, a.actor AS actor, toString(a.at) AS at
