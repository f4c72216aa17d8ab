// Creates the team_bonus rebates of $rows at $now, born confirmed, earned by no order, the
// reward's terms copied on for refunds (graph/money/team_bonuses.py). Returns stored.
UNWIND $rows AS r
CREATE (rb:Rebate {id: r.rebate_id})
SET rb.tier = r.tier, rb.kind = 'team_bonus', rb.amount_cents = r.amount_cents,
    rb.original_cents = r.amount_cents, rb.status = r.status, rb.reason = r.reason,
    rb.path = r.path, rb.paid_at = datetime(r.paid_at), rb.rule_ids = r.rule_ids,
    rb.order_id = null, rb.beneficiary = r.beneficiary, rb.created_at = datetime($now),
    rb.confirmed_at = datetime($now),
    rb.held_from = r.held_from, rb.held_reason = r.held_reason, rb.hold_by = r.hold_by,
    rb.held_at = CASE WHEN r.hold_by IS NULL THEN NULL ELSE datetime($now) END,
    rb.team_reward_id = r.team_reward_id, rb.period = r.period,
    rb.team_sales_cents = r.team_sales_cents, rb.team_orders = r.team_orders,
    rb.threshold_cents = r.threshold_cents, rb.bonus_cents = r.bonus_cents,
    rb.bonus_bp = r.bonus_bp
RETURN count(rb) AS stored
