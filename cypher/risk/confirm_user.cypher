// Confirms user $user_id as fraud: rebates computed from now on for its orders are void
// (risk_confirmed `user:<id>`), and no ring holds it. Returns user_id, or no row.
MATCH (u:User {id: $user_id})
SET u.risk_confirmed = 'user:' + u.id
REMOVE u.hold_ring
RETURN u.id AS user_id
