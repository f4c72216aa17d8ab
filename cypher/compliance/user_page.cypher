// A full run's page of user ids, by id after $after ("": from the first): users with no
// inviter, and those born (first invite edge created; no created_at: before any) before
// $born_before. Those born since are checked by the edge's creation time
// (compliance.invitees_since), so that no user is counted twice.
MATCH (u:User)
WHERE u.id > $after
WITH u, [(u)<-[e:INVITED]-() | e.created_at] AS births
WHERE size(births) = 0 OR any(b IN births WHERE b IS NULL OR b < datetime($born_before))
RETURN u.id AS id
ORDER BY u.id
LIMIT $limit
