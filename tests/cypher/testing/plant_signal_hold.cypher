// Test only: a held rebate of an order of $user_id, held on that user's own signals (hold_by
// `signals:<id>`), paid to $beneficiary. Returns planted.
CREATE (rb:Rebate {id: $rebate_id, hold_by: 'signals:' + $user_id, status: 'held',
                   reason: 'risk_hold', beneficiary: $beneficiary, kind: 'cash', amount_cents: 0})
RETURN count(rb) AS planted
