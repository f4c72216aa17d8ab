// Retires team reward $id at $now (it counts no order paid from then on; bonuses already
// made keep it). Returns its status before, or no row for an unknown reward.
MATCH (t:TeamReward {id: $id})
WITH t, t.status AS before
SET t.status = 'retired', t.retired_at = coalesce(t.retired_at, $now)
RETURN before
