// The role of the unrevoked run-time key whose sha256 is $key_hash (no row: unknown or revoked).
MATCH (k:ApiKey {key_hash: $key_hash})
WHERE k.revoked_at IS NULL
RETURN k.id AS id, k.role AS role
