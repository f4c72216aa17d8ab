// Takes the write lock of every order placed by the users $user_ids, in order id order (as
// rebate computation does), so that a computation already under way commits before a hold
// reads the rebates, and one starting later sees the members marked. Returns how many.
UNWIND $user_ids AS user_id
MATCH (:User {id: user_id})-[:PLACED]->(o:Order)
WITH o ORDER BY o.id
SET o.lock_seq = coalesce(o.lock_seq, 0) + 1
RETURN count(o) AS locked
