"""Scoring a community: features in 0..1, a logistic score and reason codes (pure).

score = 1 / (1 + exp(-(sum(WEIGHTS[f] * feature[f]) - BIAS))); the reason codes are the
features that raise the score (positive weight) at or above REASON_AT. The weights are a
logistic regression fitted on labelled generated malls (lab/bench/fit_weights.py);
docs/detection.md ("Score and reason codes") defines each feature. A negative weight marks
what honest look-alikes do more than rings (a promotion's sign-up burst).
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field

from graph.risk.projection import KINDS
from graph.risk.user_graph import Group, Index, UserGraph
from graph.rules.maths import DEFAULT_RULE
from graph.settings import Settings

DAY = 86_400.0
NEW_ACCOUNT_SECONDS = DAY  # first order within a day of registering
BURST_SECONDS = 12 * 3_600.0
SYNC_SECONDS = 1_800.0
INVITE_DAYS = 7  # a second account follows its first within days; family members sign up apart
# When a rebate would be credited after payment: the default return window and settlement
# delay (TIERGRAPH_RETURN_WINDOW_DAYS, TIERGRAPH_SETTLEMENT_DELAY_DAYS).
CREDIT_SECONDS = DAY * (Settings.model_fields["return_window_days"].default
                        + Settings.model_fields["settlement_delay_days"].default)

WEIGHTS = {
    "dense_shared_devices": 3.4,
    "shared_payment_accounts": 1.2,
    "shared_addresses": 0.3,
    "new_accounts": -0.5,
    "burst_registration": -2.6,
    "money_to_own_uplines": 0.2,
    "synchronised_orders": 1.6,
    "refunds_after_payout": 1.2,
    "isolated": 1.2,
    "many_accounts": 3.3,
    "invited_inside": 1.8,
    "stays_shared": 3.6,
    "closed_invites": 3.2,
    "shared_after_signup": -0.4,
    "own_drop": -0.3,
    "dependent_accounts": 1.9,
    "repeated_rounds": 3.7,
    "rounds_to_drop": 3.3,
    "new_on_shared": 3.0,
    "invited_within_days": 2.5,
}
BIAS = 11.0
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
    "invited_inside": 0.5,
    "stays_shared": 0.5,
    "closed_invites": 0.5,
    "dependent_accounts": 0.5,
    "invited_within_days": 0.5,
    "repeated_rounds": 0.3,
    "rounds_to_drop": 0.2,
    "new_on_shared": 0.3,
}


@dataclass
class DetectedRing:
    """A suspicious community: sorted members, score 0..1, reason codes and features."""

    members: list[str]
    score: float
    reasons: list[str]
    features: dict[str, float] = field(default_factory=dict)


def score_of(features: dict[str, float]) -> float:
    """The logistic score of a community's features (WEIGHTS, BIAS)."""
    z = sum(WEIGHTS[name] * features.get(name, 0.0) for name in WEIGHTS) - BIAS
    return 1.0 / (1.0 + math.exp(-z))


def reasons_of(features: dict[str, float]) -> list[str]:
    """Reason codes: the features raising the score, at or above their REASON_AT level."""
    return [name for name, level in REASON_AT.items()
            if WEIGHTS[name] > 0 and features.get(name, 0.0) >= level]


def score_communities(parts: list[list[int]], groups: list[Group], index: Index,
                      graph: UserGraph) -> list[DetectedRing]:
    """The communities carrying a reason code as rings, highest score first."""
    touching: dict[int, list[int]] = defaultdict(list)
    for g, group in enumerate(groups):
        for uid, _, _, _ in group.uses:
            touching[uid].append(g)
    rings = []
    for part in parts:
        features = features_of(part, groups, touching, index, graph)
        reasons = reasons_of(features)
        if reasons:
            rings.append(DetectedRing(members=[index.names[u] for u in part],
                                      score=round(score_of(features), 4), reasons=reasons,
                                      features={k: round(v, 4) for k, v in features.items()}))
    rings.sort(key=lambda r: (-r.score, r.members))
    return rings


def features_of(part: list[int], groups: list[Group], touching: dict[int, list[int]],
                index: Index, graph: UserGraph) -> dict[str, float]:
    """The features of a community (its members' ids), each in 0..1."""
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
    internal = sum(graph.id_edges.get((min(a, b), max(a, b)), 0.0)
                   for a in part for b in graph.adjacency.get(a, ()) if b in inside)
    total = sum(graph.strength.get(uid, 0.0) for uid in part)
    invited = _invited_inside(part, index)
    features = {
        "dense_shared_devices": shares["device"],
        "shared_payment_accounts": shares["payment_account"],
        "shared_addresses": shares["address"],
        "new_accounts": new / len(part),
        "burst_registration": _burst([index.registered[u] for u in part]),
        "money_to_own_uplines": _money_to_uplines(part, index),
        "synchronised_orders": _synchrony([(o.paid_at, index.ids[o.user_id]) for o in orders]),
        "refunds_after_payout": late / value if value else 0.0,
        "isolated": internal / total if total else 0.0,
        # Households stop at five people.
        "many_accounts": min(1.0, (len(part) - 2) / 6),
        "invited_inside": invited,
        "stays_shared": _stays_shared(part, index),
        # A group past household size that invites itself through several of its members: a
        # ring recruiting its own (a promoter's sign-ups all hang on the promoter).
        "closed_invites": _spread_invites(part, index) * min(1.0, (len(part) - 2) / 6),
        "shared_after_signup": _shared_after_signup(part, groups, touching, index),
        "own_drop": _own_drop(part, groups, touching),
        "dependent_accounts": _dependent(part, groups, touching, index),
        "invited_within_days": _invited_within(part, index, INVITE_DAYS * DAY),
        "repeated_rounds": rounds_of([(o.paid_at, index.ids[o.user_id]) for o in orders]),
    }
    # Two pairs weigh more together than apart: buying in rounds shipped to the group's own
    # drop, and new accounts that keep using each other's phones and cards.
    features["rounds_to_drop"] = features["own_drop"] * features["synchronised_orders"]
    features["new_on_shared"] = features["new_accounts"] * features["shared_after_signup"]
    return features


def _shared_after_signup(part: list[int], groups: list[Group], touching: dict[int, list[int]],
                         index: Index) -> float:
    """Share of members still using a device or payment account of another member after
    their first day: a promoter's phone is shared at sign-up only."""
    inside = set(part)
    later: set[int] = set()
    for g in {g for uid in part for g in touching.get(uid, ())}:
        group = groups[g]
        if group.kind not in ("device", "payment_account"):
            continue
        users = [(uid, last) for uid, _, _, last in group.uses if uid in inside]
        if len(users) < 2:
            continue
        for uid, last in users:
            since = index.registered[uid]
            if math.isnan(since) or last > since + DAY:
                later.add(uid)
    return len(later) / len(part)


def _dependent(part: list[int], groups: list[Group], touching: dict[int, list[int]],
               index: Index) -> float:
    """Mean over members but the oldest of the larger of two shares: their device uses on
    devices another member uses, and their payments with another member's payment accounts.
    A person's second account lives on the first one's phone or card; a family member has a
    phone and a card of their own and borrows the tablet or the family card now and then."""
    if len(part) < 2:
        return 0.0
    inside = set(part)
    shared: dict[tuple[int, str], int] = defaultdict(int)
    for g in {g for uid in part for g in touching.get(uid, ())}:
        group = groups[g]
        if group.kind not in ("device", "payment_account"):
            continue
        users = [(uid, count) for uid, count, _, _ in group.uses if uid in inside]
        if len(users) >= 2:
            for uid, count in users:
                shared[(uid, group.kind)] += count
    oldest = min(part, key=lambda u: (math.inf if math.isnan(index.registered[u])
                                      else index.registered[u], u))
    shares = []
    for uid in part:
        if uid != oldest:
            shares.append(max((shared[(uid, kind)] / index.totals[kind][uid]
                               if index.totals[kind][uid] else 0.0)
                              for kind in ("device", "payment_account")))
    return sum(shares) / len(shares)


def _invited_within(part: list[int], index: Index, seconds: float) -> float:
    """Members invited by a member who registered at most `seconds` before them /
    (members - 1): the time half of a self-referral's pair evidence."""
    inside = set(part)
    close = sum(1 for uid in part
                if index.inviter[uid] in inside
                and 0 <= index.registered[uid] - index.registered[index.inviter[uid]] <= seconds)
    return close / max(1, len(part) - 1)


def rounds_of(orders: list[tuple[float, int]]) -> float:
    """Rounds of buying together: days with orders by three members or more within
    SYNC_SECONDS, (days - 1) / 3 capped at 1. A promotion buys together on its sign-up day
    only; a ring comes back for every flash deal."""
    orders = sorted(orders)
    days: set[int] = set()
    start = 0
    for end, (t, _) in enumerate(orders):
        while orders[start][0] < t - SYNC_SECONDS:
            start += 1
        if len({uid for _, uid in orders[start:end + 1]}) >= 3:
            days.add(int(t // DAY))
    return min(1.0, max(0, len(days) - 1) / 3)


def _own_drop(part: list[int], groups: list[Group], touching: dict[int, list[int]]) -> float:
    """Share of members shipping to an address most of whose users are members: a ring's
    drop or a family home, not a parcel locker or a campus gate."""
    inside = set(part)
    dropped: set[int] = set()
    for g in {g for uid in part for g in touching.get(uid, ())}:
        group = groups[g]
        if group.kind != "address":
            continue
        users = [uid for uid, _, _, _ in group.uses if uid in inside]
        if len(users) >= 2 and 2 * len(users) >= len(group.uses):
            dropped.update(users)
    return len(dropped) / len(part)


def _invited_inside(part: list[int], index: Index) -> float:
    """Members invited by another member / (members - 1): the first one has to come from
    somewhere."""
    inside = set(part)
    return sum(1 for uid in part if index.inviter[uid] in inside) / max(1, len(part) - 1)


def _spread_invites(part: list[int], index: Index) -> float:
    """Members invited by a member other than the group's busiest inviter / (members - 1)."""
    inside = set(part)
    inviters = [index.inviter[uid] for uid in part if index.inviter[uid] in inside]
    if not inviters:
        return 0.0
    busiest = max(sorted(set(inviters)), key=inviters.count)
    return sum(1 for inviter in inviters if inviter != busiest) / max(1, len(part) - 1)


def _stays_shared(part: list[int], index: Index) -> float:
    """Share of members living on the community's things: no device of their own (one no
    other member uses) used after their first day, or orders paid only with payment
    accounts another member uses. A farm's accounts never move off the farm's phone and
    card; people signed up together on one phone move on to their own."""
    users_of: dict[tuple[str, str], set[int]] = defaultdict(set)
    for uid in part:
        for kind, ident, _ in index.things.get(uid, ()):
            users_of[(kind, ident)].add(uid)
    stuck = 0
    for uid in part:
        since = index.registered[uid]
        since = -math.inf if math.isnan(since) else since + DAY
        things = index.things.get(uid, ())
        own_device = any(kind == "device" and last > since and len(users_of[(kind, ident)]) == 1
                         for kind, ident, last in things)
        cards = [len(users_of[(kind, ident)]) for kind, ident, _ in things
                 if kind == "payment_account"]
        if not own_device or (cards and min(cards) > 1):
            stuck += 1
    return stuck / len(part)


def _shared_shares(part: list[int], groups: list[Group], touching: dict[int, list[int]],
                   index: Index) -> dict[str, float]:
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


def _money_to_uplines(part: list[int], index: Index) -> float:
    """Share of the rebate value of members' orders under the default rule's tiers whose
    beneficiary is a member, over the tiers that have a beneficiary at all."""
    inside = set(part)
    kept = total = 0.0
    for uid in part:
        amount = sum(o.amount_cents for o in index.orders.get(uid, ()))
        upline = index.inviter[uid]
        for bp in DEFAULT_RULE.tiers:
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
