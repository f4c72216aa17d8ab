// Takes the write locks of the users $user_ids (the lock a withdrawal, conversion or
// redemption takes: withdrawals/lock_user.cypher), so expiry reads settled balances.
UNWIND $user_ids AS user_id
MATCH (u:User {id: user_id})
SET u.withdraw_lock = coalesce(u.withdraw_lock, 0) + 1
RETURN count(u) AS locked
