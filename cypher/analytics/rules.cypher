// Every rule's category and tier rates, for attributing a rebate to the items it paid on.
MATCH (r:Rule)
RETURN collect({id: r.id, category: r.category, tiers: r.tiers}) AS rows
