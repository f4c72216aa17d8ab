// Locks the run of team reward $reward_id for $period (a node per pair, made on first use) with
// a fresh token that reads nothing, so runs of one pair queue. Returns id.
MERGE (r:TeamRewardRun {id: $reward_id + ':' + $period})
ON CREATE SET r.team_reward_id = $reward_id, r.period = $period
SET r.lock_token = randomUUID()
RETURN r.id AS id
