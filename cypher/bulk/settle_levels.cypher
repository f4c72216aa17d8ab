// After a bulk load: every user with level changes takes the level of its latest change (the
// higher when two share an instant), keeping its registration level as base_level, as
// cypher/events/write_levels.cypher leaves a user. Returns users.
MATCH (u:User)-[:LEVEL_CHANGED]->(:LevelChange)
WITH DISTINCT u
CALL (u) {
  MATCH (u)-[:LEVEL_CHANGED]->(x:LevelChange)
  WITH x ORDER BY x.at DESC, x.level DESC LIMIT 1
  RETURN x.level AS latest
}
SET u.base_level = coalesce(u.base_level, u.level), u.level = latest
RETURN count(u) AS users
