// Every run-time API key with its sha256 (key_hash), role, label and whether it is live; read
// whole into each API process's key map. No parameters.
MATCH (k:ApiKey)
RETURN k.key_hash AS key_hash, k.role AS role, k.label AS label, k.revoked_at IS NULL AS live
