// The team bonuses of period $period ('YYYY-MM'), counted on its last mall day, with their
// reward's category: rows {team_reward_id, category, kind, amount_cents, original_cents, status}.
MATCH (rb:Rebate)
WHERE rb.period = $period AND rb.kind = 'team_bonus'
OPTIONAL MATCH (t:TeamReward {id: rb.team_reward_id})
RETURN collect({team_reward_id: rb.team_reward_id, category: t.category, kind: rb.kind,
                amount_cents: rb.amount_cents, original_cents: rb.original_cents,
                status: rb.status}) AS rows
