// Test support: sets the rebate count recorded on order $id to $count (a commit still landing).
MATCH (o:Order {id: $id})
SET o.rebate_count = $count
