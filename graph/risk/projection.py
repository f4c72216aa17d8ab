"""The projection of the graph that ring detection reads (pure: no database).

Neo4j delivers it (cypher/risk/projection_*.cypher, read by `graph.risk.detection`);
`projection_from_events` builds the same thing from events, for tests and the lab.
"""

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
    """Everything detection reads."""

    users: dict[str, UserInfo]
    usages: list[Usage]
    orders: list[OrderInfo]


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
