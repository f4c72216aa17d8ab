"""Baselines detection is compared against in the lab (pure: no database)."""

from collections import defaultdict

import networkx as nx

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
    pairs: list[tuple[int, int]] = []
    for users in by_ident.values():
        if len(users) >= 2 and (max_share is None or len(users) <= max_share):
            first = ids[users[0]]
            pairs.extend((first, ids[other]) for other in users[1:])
    return [[names[u] for u in c] for c in components(range(len(names)), pairs) if len(c) >= 2]


def baseline_louvain(projection: Projection, seed: int = 0,
                     max_share: int | None = MAX_SHARE) -> list[list[str]]:
    """A plain Louvain over shared identifiers: users linked with the number of identifiers
    they share (those used by more than `max_share` users left out, as in `detect`),
    networkx's Louvain at its default resolution over the whole graph, seeded; every
    community of two users or more, each sorted, is a ring."""
    by_ident: dict[tuple[str, str], list[str]] = defaultdict(list)
    for usage in projection.usages:
        by_ident[(usage.kind, usage.ident)].append(usage.user_id)
    shared: dict[tuple[str, str], int] = defaultdict(int)
    for users in by_ident.values():
        if len(users) >= 2 and (max_share is None or len(users) <= max_share):
            ordered = sorted(set(users))
            for n, a in enumerate(ordered):
                for b in ordered[n + 1:]:
                    shared[(a, b)] += 1
    graph = nx.Graph()
    graph.add_weighted_edges_from((a, b, w) for (a, b), w in sorted(shared.items()))
    found = nx.community.louvain_communities(graph, weight="weight", seed=seed)
    return sorted((sorted(c) for c in found if len(c) >= 2), key=lambda c: c[0])
