// Records redemption $r {id, user_id, points, item} at $now.
CREATE (r:PointsRedemption {id: $r.id, user_id: $r.user_id, points: $r.points,
        item: $r.item, at: $now})
RETURN r.id AS id
