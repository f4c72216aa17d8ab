// An analyst dismissed the signals of user $user_id: they no longer hold the user's rebates
// (a ring the user belongs to still does, until the ring is decided), and an earlier
// confirmation of the user alone is lifted. Returns the user's id, or no row.
MATCH (u:User {id: $user_id})
SET u.risk_cleared = true
REMOVE u.risk_confirmed
RETURN u.id AS user_id
