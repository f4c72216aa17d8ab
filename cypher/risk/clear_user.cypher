// Dismisses the own signals of user $user_id (a ring still holds until decided) and lifts a
// confirmation of the user alone. Returns user_id, or no row.
MATCH (u:User {id: $user_id})
SET u.risk_cleared = true
REMOVE u.risk_confirmed
RETURN u.id AS user_id
