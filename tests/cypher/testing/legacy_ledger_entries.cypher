// Test support: how many LedgerEntry nodes (the per-leg form before the migration) are left.
MATCH (e:LedgerEntry)
RETURN count(e) AS entries
