// Stores new paid orders from $rows {order_id, user_id, amount_cents, at, skus, categories,
// item_amounts, device_id, ip, payment_account, shipping_address, fp}, linked to the buyer,
// device, IP, payment account and address. The buyer's device and IP count as used/seen.
// An order already stored changes nothing. Returns the ids created.
UNWIND $rows AS r
MATCH (u:User {id: r.user_id})
MERGE (o:Order {id: r.order_id})
  ON CREATE SET o.amount_cents = r.amount_cents, o.refunded_cents = 0, o.currency = 'CNY',
                o.status = 'paid', o.paid_at = r.at, o.user_id = r.user_id,
                o.item_skus = r.skus, o.item_categories = r.categories,
                o.item_amounts = r.item_amounts, o.fp = r.fp,
                o.rebates_computed = false, o.created_tx = $token
WITH r, u, o WHERE o.created_tx = $token
REMOVE o.created_tx
CREATE (u)-[:PLACED]->(o)
FOREACH (device_id IN CASE WHEN r.device_id IS NULL THEN [] ELSE [r.device_id] END |
  MERGE (d:Device {id: device_id})
  CREATE (o)-[:FROM_DEVICE]->(d)
  MERGE (u)-[x:USED]->(d)
    ON CREATE SET x.first_at = r.at, x.last_at = r.at, x.count = 0
  SET x.count = x.count + 1,
      x.first_at = CASE WHEN r.at < x.first_at THEN r.at ELSE x.first_at END,
      x.last_at = CASE WHEN r.at > x.last_at THEN r.at ELSE x.last_at END)
FOREACH (addr IN CASE WHEN r.ip IS NULL THEN [] ELSE [r.ip] END |
  MERGE (ip:IP {addr: addr})
  CREATE (o)-[:FROM_IP]->(ip)
  MERGE (u)-[x:SEEN_AT]->(ip)
    ON CREATE SET x.first_at = r.at, x.last_at = r.at, x.count = 0
  SET x.count = x.count + 1,
      x.first_at = CASE WHEN r.at < x.first_at THEN r.at ELSE x.first_at END,
      x.last_at = CASE WHEN r.at > x.last_at THEN r.at ELSE x.last_at END)
FOREACH (account IN CASE WHEN r.payment_account IS NULL THEN [] ELSE [r.payment_account] END |
  MERGE (pa:PaymentAccount {id: account})
  CREATE (o)-[:PAID_WITH]->(pa))
FOREACH (address IN CASE WHEN r.shipping_address IS NULL THEN [] ELSE [r.shipping_address] END |
  MERGE (a:Address {id: address})
  CREATE (o)-[:SHIPS_TO]->(a))
RETURN o.id AS id
