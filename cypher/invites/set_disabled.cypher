// Disables (or enables again) user $user_id as a beneficiary: while disabled, rebates that
// would pay the user are created void (reason inviter_disabled). Keeps why and when.
// Returns whether the user was disabled before, or no row for an unknown user.
MATCH (u:User {id: $user_id})
WITH u, coalesce(u.disabled, false) AS before
SET u.disabled = $disabled,
    u.disabled_reason = CASE WHEN $disabled THEN $reason END,
    u.disabled_at = CASE WHEN $disabled THEN datetime($at) END
RETURN before
