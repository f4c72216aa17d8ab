// Links new orders of $rows {order_id, user_id, device_id, at} to their device; the buyer's
// USED edge to it gets first_at/last_at/count. Returns how many were linked.
UNWIND $rows AS row
WITH row {.*, at: datetime(row.at)} AS r
MATCH (o:Order {id: r.order_id})
MATCH (u:User {id: r.user_id})
MERGE (d:Device {id: r.device_id})
CREATE (o)-[:FROM_DEVICE]->(d)
MERGE (u)-[x:USED]->(d)
  ON CREATE SET x.first_at = r.at, x.last_at = r.at, x.count = 0
SET x.count = x.count + 1,
    x.first_at = CASE WHEN r.at < x.first_at THEN r.at ELSE x.first_at END,
    x.last_at = CASE WHEN r.at > x.last_at THEN r.at ELSE x.last_at END
RETURN count(*) AS created
