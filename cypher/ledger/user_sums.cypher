// Sums of a user's ledger entries by kind, bucket and transaction type.
MATCH (e:LedgerEntry {user_id: $user_id})
RETURN e.kind AS kind, e.bucket AS bucket, e.type AS type, sum(e.amount_cents) AS cents
