"""Fraud-ring detection over a projection of the graph (pure: no database).

The projection is what Neo4j delivers (cypher/risk/projection_*.cypher): users with their
registration time and inviter, one `Usage` per (user, identifier) with first and last use
and a count, and the orders with their refunds. `projection_from_events` builds the same
thing from events, for tests and benchmarks.

Method (docs/detection.md has the measurements):

1. **Weighted user-user graph.** Users sharing an identifier (device, IP, payment account,
   address) get an edge per identifier of weight

       w = KIND_WEIGHT[kind] / (n - 1) * sqrt(share_a * share_b) * 1 / (1 + gap / 3 days)

   where n is how many users use the identifier (rarity: every user gets at most
   KIND_WEIGHT from one identifier however many share it, so a campus NAT IP used by
   2,000 people weighs 0.0002 per pair and a device shared by five 0.25), share is the
   part of the user's uses of that kind spent on it (a family tablet used now and then
   weighs less than the only phone of two accounts), and gap is the time between the two
   users' periods of use (co-use the same week counts, months apart hardly). Identifiers
   used by more than MAX_SHARE users are skipped: their pair weight is below 0.016 anyway
   and their pairs would explode quadratically. Edges below MIN_EDGE are dropped. Invite
   edges (INVITE_WEIGHT) are added between users who are already in that graph: they glue
   the parts of a ring together but never make a community on their own.
2. **Communities.** Connected components of that graph; a component of three users or
   more is split with networkx's Louvain (`louvain_communities`, resolution 0.5, seeded,
   nodes and edges inserted in sorted order, so a seed gives one answer). Louvain runs per
   component so the modularity null model is local: a ring is not merged into a
   neighbour just because the whole mall is large (the resolution limit); resolution 1
   cuts farms into one community per emulator (measured: ring F1 0.65 against 0.98).
   Each community is then refined: in communities of six or more, members sharing
   identifiers with under 30% of the others are peeled (a family hanging on one ring
   member); then the parts still connected by identifier edges are kept, the guarantee
   Leiden gives and Louvain does not. Measured on the same malls (docs/detection.md),
   Louvain with this refinement reached ring F1 0.974, Leiden (leidenalg) 0.976 and 20%
   slower, label propagation 0.952: Louvain it is, with no compiled dependency.
3. **Score.** Each community gets features in 0..1 (see `_features`) and

       score = 1 / (1 + exp(-(sum(WEIGHTS[f] * feature[f]) - BIAS)))

   The weights were chosen by a grid search for ring F1 on generated malls of seeds 11
   and 12 (lab.fraudgen), guided by a logistic-regression fit, then rounded. Reason
   codes are the features at or above REASON_AT; only communities of two or more users
   carrying a reason are returned, highest score first.
"""

import hashlib
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

import networkx as nx

KINDS = ("device", "ip", "payment_account", "address")
KIND_WEIGHT = {"device": 1.0, "ip": 0.3, "payment_account": 1.0, "address": 0.6}
MAX_SHARE = 64  # identifiers used by more users than this are skipped
TIME_SCALE = 3 * 86_400.0  # co-use this far apart halves an edge
INVITE_WEIGHT = 0.2
MIN_EDGE = 0.01
RESOLUTION = 0.5
PEEL_FROM = 6
PEEL_SHARE = 0.3
DAY = 86_400.0
NEW_ACCOUNT_SECONDS = DAY  # first order within a day of registering
BURST_SECONDS = 12 * 3_600.0
SYNC_SECONDS = 1_800.0
CREDIT_SECONDS = (7 + 1) * DAY  # return window + settlement delay (TIERGRAPH_* defaults)
TIER_BP = (1000, 500, 200)

WEIGHTS = {
    "dense_shared_devices": 8.0,
    "shared_payment_accounts": 1.0,
    "shared_addresses": 0.5,
    "new_accounts": 1.5,
    "burst_registration": 0.5,
    "money_to_own_uplines": 0.5,
    "synchronised_orders": 8.0,
    "refunds_after_payout": 3.0,
    "isolated": 0.5,
    "many_accounts": 4.0,
}
BIAS = 7.5
REASON_AT = {
    "dense_shared_devices": 0.5,
    "shared_payment_accounts": 0.5,
    "shared_addresses": 0.5,
    "new_accounts": 0.5,
    "burst_registration": 0.5,
    "money_to_own_uplines": 0.5,
    "synchronised_orders": 0.3,
    "refunds_after_payout": 0.2,
    "many_accounts": 0.5,
}

Progress = Callable[[str, float], None]


class UserInfo(NamedTuple):
    """A user of the projection: registration time (epoch seconds) and inviter id."""

    registered_at: float
    inviter: str | None


class Usage(NamedTuple):
    """One user's use of one identifier (kind: device, ip, payment_account, address)."""

    user_id: str
    kind: str
    ident: str
    first_at: float
    last_at: float
    count: int


class OrderInfo(NamedTuple):
    """An order of the projection; refunded_at is the last refund's time, or None."""

    order_id: str
    user_id: str
    amount_cents: int
    paid_at: float
    refunded_cents: int
    refunded_at: float | None


@dataclass
class Projection:
    """Everything detection reads."""

    users: dict[str, UserInfo]
    usages: list[Usage]
    orders: list[OrderInfo]


@dataclass
class DetectedRing:
    """A suspicious community: sorted members, score 0..1, reason codes and features."""

    members: list[str]
    score: float
    reasons: list[str]
    features: dict[str, float] = field(default_factory=dict)


# ---------------------------------------------------------------- projection


def epoch(value: str) -> float:
    """An ISO 8601 time with offset (or Z) as epoch seconds."""
    return datetime.fromisoformat(value).timestamp()


def projection_from_events(events: Iterable[dict[str, Any]]) -> Projection:
    """The projection the Neo4j queries return, aggregated from events.

    Devices and IPs come from sessions and orders, payment accounts and addresses from
    orders; refunds add up per order and keep the last refund's time."""
    users: dict[str, UserInfo] = {}
    uses: dict[tuple[str, str, str], list[float]] = {}
    orders: dict[str, list[Any]] = {}

    def use(user: str, kind: str, ident: str | None, at: float) -> None:
        if not ident:
            return
        entry = uses.get((user, kind, ident))
        if entry is None:
            uses[(user, kind, ident)] = [at, at, 1]
        else:
            entry[0], entry[1], entry[2] = min(entry[0], at), max(entry[1], at), entry[2] + 1

    for event in events:
        kind, at = event["type"], epoch(event["at"])
        if kind == "user_registered":
            users[event["user_id"]] = UserInfo(at, event.get("invited_by"))
        elif kind in ("session", "order_paid"):
            user = event["user_id"]
            use(user, "device", event.get("device_id"), at)
            use(user, "ip", event.get("ip"), at)
            if kind == "order_paid":
                use(user, "payment_account", event.get("payment_account"), at)
                use(user, "address", event.get("shipping_address"), at)
                orders[event["order_id"]] = [event["order_id"], user, event["amount_cents"], at,
                                             0, None]
        elif kind == "order_refunded" and event["order_id"] in orders:
            entry = orders[event["order_id"]]
            entry[4] = min(entry[2], entry[4] + event["amount_cents"])
            entry[5] = at if entry[5] is None else max(entry[5], at)
    usages = [Usage(u, k, i, v[0], v[1], int(v[2])) for (u, k, i), v in uses.items()]
    return Projection(users=users, usages=usages, orders=[OrderInfo(*o) for o in orders.values()])


# ---------------------------------------------------------------- weighted graph


def identifier_weight(kind: str, users_sharing: int) -> float:
    """Weight of one pair sharing an identifier used by `users_sharing` users, before the
    share and time factors; 0 when it is not shared or is skipped for being too common."""
    if users_sharing < 2 or users_sharing > MAX_SHARE:
        return 0.0
    return KIND_WEIGHT[kind] / (users_sharing - 1)


def closeness(first_a: float, last_a: float, first_b: float, last_b: float) -> float:
    """1 when two periods of use overlap, falling as 1 / (1 + gap / 3 days) when apart."""
    gap = max(0.0, max(first_a, first_b) - min(last_a, last_b))
    return 1.0 / (1.0 + gap / TIME_SCALE)


class _Index:
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
                self.totals[usage.kind][self.ids[usage.user_id]] += usage.count
        self.orders: dict[int, list[OrderInfo]] = defaultdict(list)
        for order in projection.orders:
            self.orders[self.ids[order.user_id]].append(order)


class _Group(NamedTuple):
    """An identifier used by 2..MAX_SHARE users: (user, count, first, last) per user."""

    kind: str
    uses: list[tuple[int, int, float, float]]


def _groups(projection: Projection, index: _Index) -> list[_Group]:
    """The shared identifiers worth pairing, in a deterministic order."""
    by_ident: dict[tuple[str, str], list[tuple[int, int, float, float]]] = defaultdict(list)
    for usage in projection.usages:
        if usage.kind in KIND_WEIGHT:
            by_ident[(usage.kind, usage.ident)].append(
                (index.ids[usage.user_id], usage.count, usage.first_at, usage.last_at))
    shared = sorted(key for key, uses in by_ident.items() if 2 <= len(uses) <= MAX_SHARE)
    return [_Group(key[0], sorted(by_ident[key])) for key in shared]


def _identifier_edges(groups: list[_Group], index: _Index) -> dict[tuple[int, int], float]:
    """Summed identifier weight per user pair (a < b)."""
    edges: dict[tuple[int, int], float] = defaultdict(float)
    for group in groups:
        base = identifier_weight(group.kind, len(group.uses))
        totals = index.totals[group.kind]
        shares = [(uid, math.sqrt(count / max(1, totals[uid])), first, last)
                  for uid, count, first, last in group.uses]
        for n, (a, share_a, first_a, last_a) in enumerate(shares):
            for b, share_b, first_b, last_b in shares[n + 1:]:
                near = closeness(first_a, last_a, first_b, last_b)
                edges[(a, b)] += base * share_a * share_b * near
    return {pair: w for pair, w in edges.items() if w >= MIN_EDGE}


def _invite_edges(index: _Index, nodes: set[int]) -> set[tuple[int, int]]:
    """Invite pairs (a < b) between users who both have identifier edges."""
    pairs = set()
    for uid in sorted(nodes):
        inviter = index.inviter[uid]
        if inviter in nodes:
            pairs.add((min(uid, inviter), max(uid, inviter)))
    return pairs


# ---------------------------------------------------------------- communities


def _components(nodes: Iterable[int], pairs: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Connected components (union-find), each sorted, ordered by their smallest node."""
    parent = {n: n for n in nodes}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    members: dict[int, list[int]] = defaultdict(list)
    for n in sorted(parent):
        members[find(n)].append(n)
    return sorted(members.values(), key=lambda c: c[0])


def _split(component: list[int], weights: dict[tuple[int, int], float], seed: int,
           algorithm: str) -> list[list[int]]:
    """Communities of one component, given its edges (two users are one already).

    louvain is networkx's `louvain_communities` at RESOLUTION; leiden is the `leidenalg`
    package (on python-igraph, a dev extra, imported only here) with the same modularity
    at the same RESOLUTION (RBConfigurationVertexPartition), iterated until stable;
    label_propagation is networkx's `asyn_lpa_communities`. All are seeded and get nodes
    and edges in sorted order, so a seed gives one answer."""
    if len(component) < 3:
        return [component]
    graph = nx.Graph()
    graph.add_nodes_from(component)
    graph.add_weighted_edges_from((a, b, w) for (a, b), w in sorted(weights.items()))
    if algorithm == "leiden":
        try:
            import igraph
            import leidenalg
        except ImportError as error:
            raise ImportError("algorithm='leiden' needs the leidenalg package (and igraph): "
                              "pip install leidenalg") from error
        nodes = list(graph.nodes)
        position = {node: n for n, node in enumerate(nodes)}
        edges = list(graph.edges(data="weight"))
        ig = igraph.Graph(n=len(nodes), edges=[(position[a], position[b]) for a, b, _ in edges])
        partition = leidenalg.find_partition(
            ig, leidenalg.RBConfigurationVertexPartition, weights=[w for _, _, w in edges],
            resolution_parameter=RESOLUTION, n_iterations=-1, seed=seed)
        found = [[nodes[v] for v in community] for community in partition]
    elif algorithm == "label_propagation":
        found = nx.community.asyn_lpa_communities(graph, weight="weight", seed=seed)
    else:
        found = nx.community.louvain_communities(graph, weight="weight",
                                                 resolution=RESOLUTION, seed=seed)
    return sorted((sorted(c) for c in found), key=lambda c: c[0])


def _refine(community: list[int], adjacency: dict[int, list[int]]) -> list[list[int]]:
    """The parts of a community connected by identifier edges, two users or more, after
    peeling (in communities of PEEL_FROM users or more) the members linked to fewer than
    PEEL_SHARE of the others: a ring's members share identifiers with a good part of it,
    while a family hanging on one member shares only among itself."""
    members = set(community)
    if len(community) >= PEEL_FROM:
        needed = PEEL_SHARE * (len(community) - 1)
        members = {a for a in community
                   if sum(1 for b in adjacency.get(a, ()) if b in members) >= needed}
    kept = [a for a in community if a in members]
    pairs = [(a, b) for a in kept for b in adjacency.get(a, ()) if a < b and b in members]
    return [part for part in _components(kept, pairs) if len(part) >= 2]


# ---------------------------------------------------------------- features and score


def _shared_shares(part: list[int], groups: list[_Group], touching: dict[int, list[int]],
                   index: _Index) -> dict[str, float]:
    """Per kind, the members' uses on identifiers another member also uses over all their
    uses of that kind (pooled, so a member seen once does not swing it)."""
    inside = set(part)
    shared = dict.fromkeys(KINDS, 0)
    for g in sorted({g for uid in part for g in touching.get(uid, ())}):
        group = groups[g]
        counts = [count for uid, count, _, _ in group.uses if uid in inside]
        if len(counts) >= 2:
            shared[group.kind] += sum(counts)
    result = {}
    for kind in KINDS:
        total = sum(index.totals[kind][u] for u in part)
        result[kind] = shared[kind] / total if total else 0.0
    return result


def _burst(registered: list[float]) -> float:
    """(most members registered within BURST_SECONDS - 1) / (members - 1)."""
    times = sorted(t for t in registered if not math.isnan(t))
    if len(times) < 2:
        return 0.0
    best, start = 1, 0
    for end, t in enumerate(times):
        while t - times[start] > BURST_SECONDS:
            start += 1
        best = max(best, end - start + 1)
    return (best - 1) / (len(registered) - 1)


def _money_to_uplines(part: list[int], index: _Index) -> float:
    """Share of the rebate value of members' orders (tiers 1..3) whose beneficiary is a
    member, over the tiers that have a beneficiary at all."""
    inside = set(part)
    kept = total = 0.0
    for uid in part:
        amount = sum(o.amount_cents for o in index.orders.get(uid, ()))
        upline = index.inviter[uid]
        for bp in TIER_BP:
            if upline < 0 or not amount:
                break
            total += amount * bp
            if upline in inside:
                kept += amount * bp
            upline = index.inviter[upline]
    return kept / total if total else 0.0


def _synchrony(orders: list[tuple[float, int]]) -> float:
    """Share of orders placed within SYNC_SECONDS of orders by two other members (lockstep
    needs three people; a couple shopping together is not a ring)."""
    orders = sorted(orders)
    hits, start, end = 0, 0, 0
    for t, uid in orders:
        while orders[start][0] < t - SYNC_SECONDS:
            start += 1
        while end < len(orders) and orders[end][0] <= t + SYNC_SECONDS:
            end += 1
        if len({other for _, other in orders[start:end]} - {uid}) >= 2:
            hits += 1
    return hits / len(orders) if orders else 0.0


def _features(part: list[int], groups: list[_Group], touching: dict[int, list[int]],
              index: _Index, id_edges: dict[tuple[int, int], float],
              strength: dict[int, float], adjacency: dict[int, list[int]]) -> dict[str, float]:
    """Features of a community, each in 0..1:

    dense_shared_devices / shared_payment_accounts / shared_addresses: the share of the
    members' device uses (orders' payment accounts, addresses) on identifiers another
    member uses; new_accounts: share of members whose first order came within a day of
    registering; burst_registration: see `_burst`; money_to_own_uplines: see
    `_money_to_uplines`; synchronised_orders: see `_synchrony`; refunds_after_payout:
    share of the members' order value refunded after the rebate would have been credited
    (paid + return window + settlement delay); isolated: identifier weight inside the
    community over all identifier weight of its members; many_accounts: (size - 2) / 6,
    at most 1 (households stop at five)."""
    shares = _shared_shares(part, groups, touching, index)
    orders = [o for uid in part for o in index.orders.get(uid, ())]
    value = sum(o.amount_cents for o in orders)
    late = sum(o.refunded_cents for o in orders
               if o.refunded_at is not None and o.refunded_at > o.paid_at + CREDIT_SECONDS)
    new = 0
    for uid in part:
        mine = index.orders.get(uid)
        if mine and min(o.paid_at for o in mine) - index.registered[uid] <= NEW_ACCOUNT_SECONDS:
            new += 1
    inside = set(part)
    internal = sum(id_edges.get((min(a, b), max(a, b)), 0.0)
                   for a in part for b in adjacency.get(a, ()) if b in inside)
    total = sum(strength.get(uid, 0.0) for uid in part)
    return {
        "dense_shared_devices": shares["device"],
        "shared_payment_accounts": shares["payment_account"],
        "shared_addresses": shares["address"],
        "new_accounts": new / len(part),
        "burst_registration": _burst([index.registered[u] for u in part]),
        "money_to_own_uplines": _money_to_uplines(part, index),
        "synchronised_orders": _synchrony([(o.paid_at, index.ids[o.user_id]) for o in orders]),
        "refunds_after_payout": late / value if value else 0.0,
        "isolated": internal / total if total else 0.0,
        "many_accounts": min(1.0, (len(part) - 2) / 6),
    }


def score_of(features: dict[str, float]) -> float:
    """The logistic score of a community's features (WEIGHTS, BIAS)."""
    z = sum(WEIGHTS[name] * features.get(name, 0.0) for name in WEIGHTS) - BIAS
    return 1.0 / (1.0 + math.exp(-z))


def reasons_of(features: dict[str, float]) -> list[str]:
    """Reason codes: the features at or above their REASON_AT level."""
    return [name for name, level in REASON_AT.items() if features.get(name, 0.0) >= level]


# ---------------------------------------------------------------- detection


def detect(projection: Projection, seed: int = 0, progress: Progress | None = None, *,
           algorithm: str = "louvain") -> list[DetectedRing]:
    """Suspicious communities of the projection, highest score first (see the module
    docstring). `algorithm` is louvain (the default), leiden (needs the leidenalg dev
    extra) or label_propagation, for comparisons."""
    say = progress or (lambda stage, fraction: None)
    say("index", 0.0)
    index = _Index(projection)
    groups = _groups(projection, index)
    say("edges", 0.2)
    id_edges = _identifier_edges(groups, index)
    adjacency: dict[int, list[int]] = defaultdict(list)
    strength: dict[int, float] = defaultdict(float)
    for (a, b), w in id_edges.items():
        adjacency[a].append(b)
        adjacency[b].append(a)
        strength[a] += w
        strength[b] += w
    nodes = set(adjacency)
    weights = dict(id_edges)
    for pair in _invite_edges(index, nodes):
        weights[pair] = weights.get(pair, 0.0) + INVITE_WEIGHT
    say("communities", 0.4)
    components = _components(nodes, weights)
    edges_of: dict[int, dict[tuple[int, int], float]] = defaultdict(dict)
    root = {uid: n for n, component in enumerate(components) for uid in component}
    for pair, w in weights.items():
        edges_of[root[pair[0]]][pair] = w
    parts: list[list[int]] = []
    for n, component in enumerate(components):
        for community in _split(component, edges_of.pop(n, {}), seed, algorithm):
            parts.extend(_refine(community, adjacency))
        if n % 1000 == 0:
            say("communities", 0.4 + 0.4 * n / len(components))
    say("scoring", 0.8)
    touching: dict[int, list[int]] = defaultdict(list)
    for g, group in enumerate(groups):
        for uid, _, _, _ in group.uses:
            touching[uid].append(g)
    rings = []
    for part in parts:
        features = _features(part, groups, touching, index, id_edges, strength, adjacency)
        reasons = reasons_of(features)
        if reasons:
            rings.append(DetectedRing(members=[index.names[u] for u in part],
                                      score=round(score_of(features), 4), reasons=reasons,
                                      features={k: round(v, 4) for k, v in features.items()}))
    rings.sort(key=lambda r: (-r.score, r.members))
    say("done", 1.0)
    return rings


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
    return [[names[u] for u in c] for c in _components(range(len(names)), pairs) if len(c) >= 2]


# ---------------------------------------------------------------- stable ids


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    """|a ∩ b| / |a ∪ b| of two member lists."""
    sa, sb = set(a), set(b)
    union = len(sa | sb)
    return len(sa & sb) / union if union else 0.0


def mint_ring_id(members: Iterable[str]) -> str:
    """A ring id derived from its sorted members: ring-<12 hex of sha256>."""
    digest = hashlib.sha256("\n".join(sorted(members)).encode()).hexdigest()
    return f"ring-{digest[:12]}"


def stable_ring_ids(new: list[list[str]], previous: dict[str, list[str]]) -> list[str]:
    """An id per new ring: the id of a previous ring overlapping it with Jaccard > 0.5
    (matched one to one, best overlap first), else one minted from its members."""
    holders: dict[str, list[str]] = defaultdict(list)
    for ring_id, members in previous.items():
        for member in members:
            holders[member].append(ring_id)
    candidates = []
    for n, members in enumerate(new):
        for ring_id in sorted({r for m in members for r in holders.get(m, ())}):
            overlap = jaccard(members, previous[ring_id])
            if overlap > 0.5:
                candidates.append((-overlap, n, ring_id))
    ids: list[str | None] = [None] * len(new)
    taken: set[str] = set()
    for _, n, ring_id in sorted(candidates):
        if ids[n] is None and ring_id not in taken:
            ids[n] = ring_id
            taken.add(ring_id)
    return [ring_id or mint_ring_id(members) for ring_id, members in zip(ids, new, strict=True)]
