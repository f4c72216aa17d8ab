// Takes the write lock of the users $user_ids in id order (LOCK ORDER: graph/ingest/store.py),
// so no withdrawal reads their balances until the caller commits. Returns locked.
UNWIND $user_ids AS user_id
WITH user_id ORDER BY user_id
MATCH (u:User {id: user_id})
SET u.withdraw_lock = coalesce(u.withdraw_lock, 0) + 1
RETURN count(u) AS locked
