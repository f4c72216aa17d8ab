"""Baselines detection is compared against in the lab (pure: no database)."""

from collections import defaultdict

from graph.risk.communities import components
from graph.risk.projection import Projection
from graph.risk.user_graph import MAX_SHARE


def baseline_components(projection: Projection,
                        max_share: int | None = MAX_SHARE) -> list[list[str]]:
    """The classic baseline: connected components (two users or more) of users sharing any
    identifier, each sorted. Identifiers used by more than `max_share` users are left out
    as in `detect` (None keeps them all: campus NATs then join everyone)."""
    by_ident: dict[tuple[str, str], list[str]] = defaultdict(list)
    for usage in projection.usages:
        by_ident[(usage.kind, usage.ident)].append(usage.user_id)
    names = sorted({u.user_id for u in projection.usages})
    ids = {name: n for n, name in enumerate(names)}
    pairs = []
    for users in by_ident.values():
        if len(users) >= 2 and (max_share is None or len(users) <= max_share):
            first = ids[users[0]]
            pairs.extend((first, ids[other]) for other in users[1:])
    return [[names[u] for u in c] for c in components(range(len(names)), pairs) if len(c) >= 2]
