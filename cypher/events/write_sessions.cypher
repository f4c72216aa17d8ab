// Stores new sessions from $rows {id, user_id, device_id, ip, at}: the user's USED device and
// SEEN_AT ip get first_at/last_at/count, the user touched_at once (for incremental detection).
// A session already stored (same id) changes nothing.
UNWIND $rows AS row
WITH row {.*, at: datetime(row.at)} AS r
MATCH (u:User {id: r.user_id})
MERGE (s:Session {id: r.id})
  ON CREATE SET s.at = r.at, s.user_id = r.user_id, s.created_tx = $token
WITH r, u, s WHERE s.created_tx = $token
REMOVE s.created_tx
FOREACH (device_id IN CASE WHEN r.device_id IS NULL THEN [] ELSE [r.device_id] END |
  MERGE (d:Device {id: device_id})
  MERGE (u)-[x:USED]->(d)
    ON CREATE SET x.first_at = r.at, x.last_at = r.at, x.count = 0
  SET x.count = x.count + 1,
      x.first_at = CASE WHEN r.at < x.first_at THEN r.at ELSE x.first_at END,
      x.last_at = CASE WHEN r.at > x.last_at THEN r.at ELSE x.last_at END)
FOREACH (addr IN CASE WHEN r.ip IS NULL THEN [] ELSE [r.ip] END |
  MERGE (ip:IP {addr: addr})
  MERGE (u)-[x:SEEN_AT]->(ip)
    ON CREATE SET x.first_at = r.at, x.last_at = r.at, x.count = 0
  SET x.count = x.count + 1,
      x.first_at = CASE WHEN r.at < x.first_at THEN r.at ELSE x.first_at END,
      x.last_at = CASE WHEN r.at > x.last_at THEN r.at ELSE x.last_at END)
WITH u, count(*) AS created
SET u.touched_at = datetime()
RETURN sum(created) AS created
