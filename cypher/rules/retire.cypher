// Retires rule $id at $now (it stops paying new orders; rebates already made keep it).
// Returns its status before, or no row for an unknown rule.
MATCH (r:Rule {id: $id})
WITH r, r.status AS before
SET r.status = 'retired', r.retired_at = coalesce(r.retired_at, $now)
RETURN before
