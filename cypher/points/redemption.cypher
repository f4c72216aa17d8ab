// A points redemption by $id (no row if unknown).
MATCH (r:PointsRedemption {id: $id})
RETURN r.id AS redemption_id, r.user_id AS user_id, r.points AS points, r.item AS item,
       toString(r.at) AS at
