// An analyst confirmed user $user_id as fraud: rebates computed from now on for the user's
// orders are void (risk_confirmed names the decision, `user:<id>`), and no ring marks them.
// Returns the user's id, or no row for an unknown user.
MATCH (u:User {id: $user_id})
SET u.risk_confirmed = 'user:' + u.id
REMOVE u.hold_ring
RETURN u.id AS user_id
