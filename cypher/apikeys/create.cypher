// Stores a run-time API key from $key {id, role, label, key_hash, created_by} at $now.
// Only the key's sha256 is stored; the key itself is shown once to its creator.
CREATE (k:ApiKey {id: $key.id, role: $key.role, label: $key.label, key_hash: $key.key_hash,
        created_by: $key.created_by, created_at: $now, revoked_at: null})
RETURN k.id AS id
