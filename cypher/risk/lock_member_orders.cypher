// Takes the write lock of every order of the users $user_ids, in order id order as rebate
// computation does, so a hold and a computation do not interleave. Returns locked.
UNWIND $user_ids AS user_id
MATCH (:User {id: user_id})-[:PLACED]->(o:Order)
WITH o ORDER BY o.id
SET o.lock_token = randomUUID()
RETURN count(o) AS locked
