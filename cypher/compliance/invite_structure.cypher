// Users checked, users with more than one inviter, and users on an invite cycle, each with up
// to $sample example ids.
MATCH (u:User)
WITH count(u) AS users_checked
OPTIONAL MATCH (m:User) WHERE COUNT { (m)<-[:INVITED]-() } > 1
WITH users_checked, collect(m.id) AS multi
OPTIONAL MATCH (c:User) WHERE EXISTS { (c)<-[:INVITED]-+(c) }
WITH users_checked, multi, collect(c.id) AS cyclic
RETURN users_checked, size(multi) AS multiple_inviters, multi[0..$sample] AS multi_samples,
       size(cyclic) AS invite_cycle_users, cyclic[0..$sample] AS cycle_samples
