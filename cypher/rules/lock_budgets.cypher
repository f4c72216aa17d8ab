// Takes the write lock of every campaign rule (budget_cents set) that is or was in force and
// has budget left, in ascending id order, after the orders' locks and before any user's
// (LOCK ORDER, graph/money/rebates.py). Writes a fresh token and reads nothing of what it
// sets (docs/design.md). A spent budget is never given back, so a rule found spent here
// stays spent and needs no lock. Returns ids (those locked).
MATCH (r:Rule)
WHERE r.budget_cents IS NOT NULL AND r.status IN ['active', 'retired']
  AND coalesce(r.spent_cents, 0) < r.budget_cents
WITH r ORDER BY r.id
SET r.lock_token = randomUUID()
RETURN collect(r.id) AS ids
