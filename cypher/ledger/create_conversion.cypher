// Records conversion $c {id, user_id, points, cents} at $now.
CREATE (c:PointsConversion {id: $c.id, user_id: $c.user_id, points: $c.points,
        cents: $c.cents, at: $now})
RETURN c.id AS id
