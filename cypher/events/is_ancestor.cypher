// Whether $user_id is $inviter_id or one of its uplines: binding would then close a cycle.
// Walks up from the inviter (one inviter each, so the walk is a single chain).
MATCH (i:User {id: $inviter_id})
RETURN EXISTS { MATCH (i)<-[:INVITED]-*(a:User) WHERE a.id = $user_id } AS cycle
