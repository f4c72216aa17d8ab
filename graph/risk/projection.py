"""The projection of the graph that ring detection reads (pure: no database).

Neo4j delivers it (cypher/risk/projection_*.cypher, read by `graph.risk.detection`);
`projection_from_events` builds the same thing from events, for tests and the lab.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

KINDS = ("device", "ip", "payment_account", "address")


class UserInfo(NamedTuple):
    """A user of the projection: registration time (epoch seconds) and inviter id."""

    registered_at: float
    inviter: str | None


class Usage(NamedTuple):
    """One user's use of one identifier (kind: one of KINDS)."""

    user_id: str
    kind: str
    ident: str
    first_at: float
    last_at: float
    uses: int  # not `count`: a tuple field of that name hides tuple.count


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
    """Everything detection reads. `shared`, when known, is every identifier (kind, ident)
    used by 2..MAX_SHARE users in the whole graph: a projection of part of the graph
    (`linked_part`) cannot tell from its own usages which identifiers are too common."""

    users: dict[str, UserInfo]
    usages: list[Usage]
    orders: list[OrderInfo]
    shared: frozenset[tuple[str, str]] | None = None


def linked_part(projection: Projection, max_share: int, tiers: int,
                touched: Iterable[str] | None = None) -> Projection:
    """The part of a projection detection can link, as the detection job reads it from
    Neo4j: every user of an identifier of 2..`max_share` users, with their usages and
    orders, and their uplines `tiers` deep (registration and inviter only, for the rebate
    features). Nobody else shares anything that weighs. With `touched` (an incremental run),
    also those users and every user of an identifier they use of at most `max_share` +
    len(touched) users: one with more was over `max_share` before they came to it too."""
    users_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    for usage in projection.usages:
        users_of[(usage.kind, usage.ident)].add(usage.user_id)
    shared = frozenset(key for key, users in users_of.items() if 2 <= len(users) <= max_share)
    keep = {user for key in shared for user in users_of[key]}
    if touched is not None:
        touched = set(touched) & set(projection.users)
        limit = max_share + len(touched)
        keep |= touched
        for usage in projection.usages:
            if usage.user_id in touched and len(sharing := users_of[usage[1:3]]) <= limit:
                keep |= sharing
    users = {user: projection.users[user] for user in keep if user in projection.users}
    for _ in range(tiers):
        uplines = {info.inviter for info in users.values()
                   if info.inviter is not None and info.inviter not in users}
        users.update({u: projection.users[u] for u in uplines if u in projection.users})
    return Projection(users=users,
                      usages=[u for u in projection.usages if u.user_id in keep],
                      orders=[o for o in projection.orders if o.user_id in keep],
                      shared=shared)


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
