// When the earliest pending delivery is due: due (null when none is pending).
MATCH (d:WebhookDelivery {state: 'pending'})
RETURN toString(min(d.next_attempt_at)) AS due
