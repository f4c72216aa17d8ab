// Revokes key $id at $now if it is live; returns its role and whether it was live before.
MATCH (k:ApiKey {id: $id})
WITH k, k.revoked_at IS NULL AS was_live
SET k.revoked_at = coalesce(k.revoked_at, $now)
RETURN k.role AS role, was_live
