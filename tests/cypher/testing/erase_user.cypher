// Test support: removes user $user_id with their invitations, as an erasure would (the
// upline cache tests: whoever removes users calls invites.forget_uplines after).
MATCH (u:User {id: $user_id})
DETACH DELETE u
