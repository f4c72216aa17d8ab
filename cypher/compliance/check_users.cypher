// The users $ids checked for a second inviter and for lying on an invite cycle: counts and up
// to $sample example ids of each. A user is born when its first invite edge was created (no
// created_at: before any); users_checked counts those born from $born_from (null: all), and
// with $born_only the others are left out altogether.
UNWIND $ids AS id
MATCH (u:User {id: id})
WITH u, [(u)<-[e:INVITED]-() | e.created_at] AS births
WITH u, size(births) > 1 AS multi,
     $born_from IS NULL OR (size(births) > 0
       AND none(b IN births WHERE b IS NULL OR b < datetime($born_from))) AS born
WHERE born OR NOT $born_only
WITH u, multi, born, EXISTS { (u)<-[:INVITED]-+(u) } AS cyclic
RETURN sum(CASE WHEN born THEN 1 ELSE 0 END) AS users_checked,
       sum(CASE WHEN multi THEN 1 ELSE 0 END) AS multiple_inviters,
       collect(CASE WHEN multi THEN u.id END)[0..$sample] AS multi_samples,
       sum(CASE WHEN cyclic THEN 1 ELSE 0 END) AS invite_cycle_users,
       collect(CASE WHEN cyclic THEN u.id END)[0..$sample] AS cycle_samples
