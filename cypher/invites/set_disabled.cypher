// Disables ($disabled) or enables user $user_id as a beneficiary, with $reason at $at: rebates
// to a disabled user are void. Returns before, or no row for an unknown user.
MATCH (u:User {id: $user_id})
WITH u, coalesce(u.disabled, false) AS before
SET u.disabled = $disabled,
    u.disabled_reason = CASE WHEN $disabled THEN $reason END,
    u.disabled_at = CASE WHEN $disabled THEN datetime($at) END
RETURN before
