"""The weighted user-user graph of a projection: users linked by the identifiers they share.

A pair sharing an identifier gets KIND_WEIGHT[kind] / (n - 1) * sqrt(share_a * share_b) *
closeness, n being the identifier's users; invite edges then glue users already linked.
`dependent_chains` finds one person's accounts in it (a self-referral pair or triad).
docs/detection.md ("Weighted user-user graph", "Communities") gives the reasons.
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from graph.risk.projection import KINDS, OrderInfo, Projection

KIND_WEIGHT = {"device": 1.0, "ip": 0.3, "payment_account": 1.0, "address": 0.6}
# A person's own things: only pairs sharing one of these may seed a community. Addresses and
# IPs (homes, dorm rooms, lockers, NATs) weigh inside a community but chain whole towns.
STRONG_KINDS = ("device", "payment_account")
MAX_SHARE = 64  # identifiers used by more users than this are skipped
TIME_SCALE = 3 * 86_400.0  # co-use this far apart halves an edge
INVITE_WEIGHT = 0.2
MIN_EDGE = 0.01
# One person's accounts (dependent_chains): an invitee registered within PAIR_DAYS of its
# inviter with at least PAIR_DEPENDENCE of its device uses or payments on the inviter's phones
# or cards, each used by at most PAIR_MAX_USERS users.
PAIR_DAYS = 7
PAIR_DEPENDENCE = 0.5
PAIR_MAX_USERS = 3  # a person's phone or card, not a farm's


def identifier_weight(kind: str, users_sharing: int) -> float:
    """Weight of one pair sharing an identifier used by `users_sharing` users, before the
    share and time factors; 0 when it is not shared or is skipped for being too common."""
    if users_sharing < 2 or users_sharing > MAX_SHARE:
        return 0.0
    return KIND_WEIGHT[kind] / (users_sharing - 1)


def closeness(first_a: float, last_a: float, first_b: float, last_b: float) -> float:
    """1 when two periods of use overlap, falling as 1 / (1 + gap / TIME_SCALE) when apart."""
    gap = max(0.0, max(first_a, first_b) - min(last_a, last_b))
    return 1.0 / (1.0 + gap / TIME_SCALE)


class Index:
    """Integer ids for users and the per-user facts features need."""

    def __init__(self, projection: Projection) -> None:
        names = set(projection.users)
        names.update(u.user_id for u in projection.usages)
        names.update(o.user_id for o in projection.orders)
        self.names: list[str] = sorted(names)
        self.ids: dict[str, int] = {name: n for n, name in enumerate(self.names)}
        n = len(self.names)
        self.registered = [math.nan] * n
        self.inviter = [-1] * n
        for name, info in projection.users.items():
            uid = self.ids[name]
            self.registered[uid] = info.registered_at
            if info.inviter is not None and info.inviter in self.ids:
                self.inviter[uid] = self.ids[info.inviter]
        self.totals = {kind: [0] * n for kind in KINDS}
        for usage in projection.usages:
            if usage.kind in self.totals:
                self.totals[usage.kind][self.ids[usage.user_id]] += usage.uses
        # Each user's devices and payment accounts with their last use: what it moved on to.
        self.things: dict[int, list[tuple[str, str, float]]] = defaultdict(list)
        for usage in projection.usages:
            if usage.kind in STRONG_KINDS:
                self.things[self.ids[usage.user_id]].append(
                    (usage.kind, usage.ident, usage.last_at))
        self.orders: dict[int, list[OrderInfo]] = defaultdict(list)
        for order in projection.orders:
            self.orders[self.ids[order.user_id]].append(order)


class Group(NamedTuple):
    """An identifier used by 2..MAX_SHARE users: (user, count, first, last) per user."""

    kind: str
    uses: list[tuple[int, int, float, float]]


@dataclass
class UserGraph:
    """Identifier edges (a < b) with each user's neighbours and summed weight over them, and
    the weights communities are found on: identifier plus invite edges."""

    id_edges: dict[tuple[int, int], float]
    strong: set[tuple[int, int]]
    adjacency: dict[int, list[int]]
    strength: dict[int, float]
    weights: dict[tuple[int, int], float]

    def restricted(self, keep: set[int]) -> "UserGraph":
        """The graph of the users `keep`, whole connected components (so no edge leaves
        them and every feature of their communities is as in the whole graph)."""
        return UserGraph(
            id_edges={p: w for p, w in self.id_edges.items() if p[0] in keep},
            strong={p for p in self.strong if p[0] in keep},
            adjacency={u: n for u, n in self.adjacency.items() if u in keep},
            strength={u: w for u, w in self.strength.items() if u in keep},
            weights={p: w for p, w in self.weights.items() if p[0] in keep})


def shared_groups(projection: Projection, index: Index) -> list[Group]:
    """The shared identifiers worth pairing, in a deterministic order."""
    by_ident: dict[tuple[str, str], list[tuple[int, int, float, float]]] = defaultdict(list)
    for usage in projection.usages:
        if usage.kind in KIND_WEIGHT:
            by_ident[(usage.kind, usage.ident)].append(
                (index.ids[usage.user_id], usage.uses, usage.first_at, usage.last_at))
    shared = sorted(key for key, uses in by_ident.items() if 2 <= len(uses) <= MAX_SHARE
                    and (projection.shared is None or key in projection.shared))
    return [Group(key[0], sorted(by_ident[key])) for key in shared]


def build_user_graph(groups: list[Group], index: Index) -> UserGraph:
    """The weighted graph of the users sharing identifiers, invite edges added among them."""
    id_edges, strong = _identifier_edges(groups, index)
    adjacency: dict[int, list[int]] = defaultdict(list)
    strength: dict[int, float] = defaultdict(float)
    for (a, b), w in id_edges.items():
        adjacency[a].append(b)
        adjacency[b].append(a)
        strength[a] += w
        strength[b] += w
    weights = dict(id_edges)
    for pair in _invite_edges(index, set(adjacency)):
        weights[pair] = weights.get(pair, 0.0) + INVITE_WEIGHT
    return UserGraph(id_edges=id_edges, strong=strong, adjacency=adjacency, strength=strength,
                     weights=weights)


def _identifier_edges(groups: list[Group],
                      index: Index) -> tuple[dict[tuple[int, int], float], set[tuple[int, int]]]:
    """Summed identifier weight per user pair (a < b), at least MIN_EDGE, and the pairs among
    them that share a device or payment account (STRONG_KINDS)."""
    edges: dict[tuple[int, int], float] = defaultdict(float)
    strong_weight: dict[tuple[int, int], float] = defaultdict(float)
    for group in groups:
        base = identifier_weight(group.kind, len(group.uses))
        totals = index.totals[group.kind]
        shares = [(uid, math.sqrt(count / max(1, totals[uid])), first, last)
                  for uid, count, first, last in group.uses]
        for n, (a, share_a, first_a, last_a) in enumerate(shares):
            for b, share_b, first_b, last_b in shares[n + 1:]:
                near = closeness(first_a, last_a, first_b, last_b)
                edges[(a, b)] += base * share_a * share_b * near
                if group.kind in STRONG_KINDS:
                    strong_weight[(a, b)] += base * share_a * share_b * near
    kept = {pair: w for pair, w in edges.items() if w >= MIN_EDGE}
    return kept, {pair for pair, w in strong_weight.items() if w >= MIN_EDGE}


def _invite_edges(index: Index, nodes: set[int]) -> set[tuple[int, int]]:
    """Invite pairs (a < b) between users who both have identifier edges."""
    pairs = set()
    for uid in sorted(nodes):
        inviter = index.inviter[uid]
        if inviter in nodes:
            pairs.add((min(uid, inviter), max(uid, inviter)))
    return pairs


def dependent_chains(groups: list[Group], index: Index, graph: UserGraph) -> list[list[int]]:
    """One person's accounts: the chains of invite pairs whose invitee registered within
    PAIR_DAYS of its inviter and lives on the inviter's phone or card (at least
    PAIR_DEPENDENCE of its device uses, or of its payments, on identifiers of at most
    PAIR_MAX_USERS users that the inviter also uses), kept when no account but the oldest
    uses a device or payment account of anyone outside the chain. A family member has a
    phone and a card of their own; a farm's accounts share its phones with the whole farm."""
    invited = {uid: index.inviter[uid] for uid in graph.adjacency
               if index.inviter[uid] in graph.adjacency}
    on_inviter: dict[tuple[int, str], int] = defaultdict(int)
    strong_groups: dict[int, list[int]] = defaultdict(list)
    for g, group in enumerate(groups):
        if group.kind not in STRONG_KINDS:
            continue
        users = {uid: count for uid, count, _, _ in group.uses}
        for uid in users:
            strong_groups[uid].append(g)
        if len(users) > PAIR_MAX_USERS:
            continue
        for uid, count in users.items():
            if invited.get(uid, -1) in users:
                on_inviter[(uid, group.kind)] += count
    pairs = []
    for uid, inviter in sorted(invited.items()):
        gap = index.registered[uid] - index.registered[inviter]
        pair = (min(uid, inviter), max(uid, inviter))
        if 0 <= gap <= PAIR_DAYS * 86_400.0 and pair in graph.strong and any(
                on_inviter[(uid, kind)] >= PAIR_DEPENDENCE * index.totals[kind][uid] > 0
                for kind in STRONG_KINDS):
            pairs.append(pair)
    chains = []
    for chain in _linked({uid for pair in pairs for uid in pair}, pairs):
        inside = set(chain)
        oldest = min(chain, key=lambda u: (math.inf if math.isnan(index.registered[u])
                                           else index.registered[u], u))
        if all(uid in inside for member in chain if member != oldest
               for g in strong_groups[member] for uid, _, _, _ in groups[g].uses):
            chains.append(chain)
    return chains


def _linked(nodes: set[int], pairs: list[tuple[int, int]]) -> list[list[int]]:
    """Connected components of the pairs, each sorted, ordered by their smallest node."""
    neighbours: dict[int, list[int]] = defaultdict(list)
    for a, b in pairs:
        neighbours[a].append(b)
        neighbours[b].append(a)
    seen: set[int] = set()
    found = []
    for start in sorted(nodes):
        if start in seen:
            continue
        seen.add(start)
        stack, part = [start], []
        while stack:
            node = stack.pop()
            part.append(node)
            for other in neighbours[node]:
                if other not in seen:
                    seen.add(other)
                    stack.append(other)
        found.append(sorted(part))
    return found
