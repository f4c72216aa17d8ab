// Stores the users of $rows {index, user_id, invited_by, at, level, phone_enc, phone_hash, fp}
// not stored yet ($token), under their inviters; found: the rows another writer stored first.
// A new user's touched_at is the write's time (for incremental detection).
// The invite edge's created_at is the write's time too (the tier report checks new edges).
UNWIND $rows AS row
WITH row {.*, at: datetime(row.at)} AS r
MERGE (u:User {id: r.user_id})
  ON CREATE SET u.registered_at = r.at, u.level = r.level, u.phone_enc = r.phone_enc,
                u.phone_hash = r.phone_hash, u.fp = r.fp, u.created_tx = $token,
                u.touched_at = datetime()
WITH r, u, coalesce(u.created_tx = $token, false) AS created
FOREACH (_ IN CASE WHEN created THEN [1] ELSE [] END | REMOVE u.created_tx)
WITH r, u, created
OPTIONAL MATCH (inviter:User {id: r.invited_by}) WHERE created
FOREACH (_ IN CASE WHEN inviter IS NULL THEN [] ELSE [1] END |
  CREATE (inviter)-[:INVITED {at: r.at, created_at: datetime()}]->(u))
WITH r, u, created
OPTIONAL MATCH (bound:User)-[:INVITED]->(u) WHERE NOT created
RETURN count(CASE WHEN created THEN 1 END) AS created,
       collect(CASE WHEN NOT created THEN {kind: 'user', index: r.index, id: r.user_id,
               same: u.fp = r.fp, inviter: r.invited_by, stored_inviter: bound.id} END) AS found
