// Stores withdrawal $w {id, user_id, amount_cents, status} created at $now, linked to its user.
MATCH (u:User {id: $w.user_id})
CREATE (u)-[:REQUESTED]->(w:Withdrawal {id: $w.id, user_id: $w.user_id,
        amount_cents: $w.amount_cents, status: $w.status, reason: null, approvals: [],
        created_at: $now, updated_at: $now, gateway_state: null})
RETURN w.id AS id
