// A points-to-cash conversion by $id (no row if unknown).
MATCH (c:PointsConversion {id: $id})
RETURN c.id AS conversion_id, c.user_id AS user_id, c.points AS points, c.cents AS cents,
       toString(c.at) AS at
