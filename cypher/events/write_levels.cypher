// Stores new level changes from $rows {id, user_id, level, at} (sorted by user id: the rows
// lock their users), each (:User)-[:LEVEL_CHANGED]->(:LevelChange {level, at}); then sets each
// user's level to that of its latest change (the higher level when two share an instant),
// keeping the level it registered with as base_level. A change stored already (same id)
// changes nothing.
UNWIND $rows AS row
WITH row {.*, at: datetime(row.at)} AS r
MATCH (u:User {id: r.user_id})
MERGE (c:LevelChange {id: r.id})
  ON CREATE SET c.user_id = r.user_id, c.level = r.level, c.at = r.at, c.created_at = datetime(),
                c.created_tx = $token
WITH u, c WHERE c.created_tx = $token
REMOVE c.created_tx
CREATE (u)-[:LEVEL_CHANGED]->(c)
SET u.base_level = coalesce(u.base_level, u.level)
WITH u, count(c) AS created
CALL (u) {
  MATCH (u)-[:LEVEL_CHANGED]->(x:LevelChange)
  WITH x ORDER BY x.at DESC, x.level DESC LIMIT 1
  RETURN x.level AS latest
}
SET u.level = latest
RETURN sum(created) AS created
