// Takes the write lock of user $user_id, so one withdrawal at a time checks and reserves
// that user's balance. Returns found.
OPTIONAL MATCH (u:User {id: $user_id})
FOREACH (_ IN CASE WHEN u IS NULL THEN [] ELSE [1] END |
  SET u.withdraw_lock = coalesce(u.withdraw_lock, 0) + 1)
RETURN u IS NOT NULL AS found
