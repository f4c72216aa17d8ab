// Stores the users of $rows {user_id, invited_by, at, level, phone_enc, phone_hash, fp} not
// stored yet ($token), each bound to its inviter. Returns created.
UNWIND $rows AS row
WITH row {.*, at: datetime(row.at)} AS r
MERGE (u:User {id: r.user_id})
  ON CREATE SET u.registered_at = r.at, u.level = r.level, u.phone_enc = r.phone_enc,
                u.phone_hash = r.phone_hash, u.fp = r.fp, u.created_tx = $token
WITH r, u WHERE u.created_tx = $token
REMOVE u.created_tx
WITH r, u
OPTIONAL MATCH (inviter:User {id: r.invited_by})
FOREACH (_ IN CASE WHEN inviter IS NULL THEN [] ELSE [1] END |
  CREATE (inviter)-[:INVITED {at: r.at}]->(u))
RETURN count(*) AS created
