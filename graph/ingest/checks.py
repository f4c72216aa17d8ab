"""Step 2 of a batch: each event checked, in batch order, against the stored state plus what
the batch's earlier events add. An accepted event extends that state and adds its rows to
the plan; a replay is a duplicate; anything else is refused with a reason. An accepted event
whose entry another batch stored before the write is judged again by `found_outcome`.
"""

from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import Any, NamedTuple

from graph import db
from graph.ingest.events import (
    OrderCompleted,
    OrderPaid,
    OrderRefunded,
    Session,
    UserLevelChanged,
    UserRegistered,
)
from graph.ingest.store import Plan, Stored
from graph.users.pii import encrypt, lookup_hash


class Verdict(Enum):
    """An event the check lets through: new, or a replay of a stored one."""

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"


class Refused(NamedTuple):
    """An event the check refuses: why, in a word and in a sentence."""

    reason: str
    detail: str


Outcome = Verdict | Refused


def check_events(events: list[tuple[int, Any]], stored: Stored,
                 plan: Plan) -> list[tuple[int, Outcome]]:
    """Decide each event in order, extending `stored` and `plan` with what the batch adds."""
    outcomes = []
    for index, e in events:
        check = CHECKS.get(type(e))
        if check is None:  # pragma: no cover - parse_event only yields the six types
            raise TypeError(type(e))
        outcomes.append((index, check(e, index, stored, plan)))
    return outcomes


def found_outcome(found: dict[str, Any]) -> Outcome:
    """What an accepted event turns out to be when its write finds the entry stored by another
    batch since the check (`found`, as the write statement returns it): a replay when the
    stored content is the same, else refused as the check would refuse it now."""
    kind, entry_id = found["kind"], found["id"]
    if kind == "completion":
        if _instant(found["completed_at"]) == _instant(found["at"]):
            return Verdict.DUPLICATE
        return _completed_before(entry_id, found["completed_at"])
    if found["same"]:
        return Verdict.DUPLICATE
    if kind == "user":
        if found["inviter"] != found["stored_inviter"]:
            return _inviter_conflict(entry_id, found["stored_inviter"])
        return Refused("conflict", f"user {entry_id} is already registered with other details")
    return Refused("conflict", f"{kind} {entry_id} is already stored with other content")


def _inviter_conflict(user_id: str, inviter: str | None) -> Refused:
    return Refused("inviter_conflict", f"user {user_id} is already bound to inviter "
                                       f"{inviter or '(none)'}; an invite binding is permanent")


def _completed_before(order_id: str, at: datetime | str) -> Refused:
    return Refused("conflict",
                   f"order {order_id} is already completed at {_instant(at).isoformat()}")


def _check_user(e: UserRegistered, index: int, stored: Stored, plan: Plan) -> Outcome:
    fp = e.fingerprint()
    existing = stored.users.get(e.user_id)
    if existing is not None:
        if existing["fp"] == fp:
            return Verdict.DUPLICATE
        if e.invited_by and e.invited_by != existing["invited_by"] and _would_cycle(
            e.user_id, e.invited_by, stored
        ):
            return Refused("invite_cycle",
                           f"binding {e.user_id} under {e.invited_by} would close an invite cycle")
        if e.invited_by != existing["invited_by"]:
            return _inviter_conflict(e.user_id, existing["invited_by"])
        return Refused("conflict", f"user {e.user_id} is already registered with other details")
    if e.invited_by and e.invited_by not in stored.users:
        return Refused("unknown_inviter", f"inviter {e.invited_by} is not a registered user")
    stored.users[e.user_id] = {"id": e.user_id, "fp": fp, "invited_by": e.invited_by,
                               "in_batch": True}
    plan.users.append({
        "index": index, "user_id": e.user_id, "invited_by": e.invited_by, "at": e.at.isoformat(),
        "level": e.level, "phone_enc": encrypt(e.phone) if e.phone else None,
        "phone_hash": lookup_hash(e.phone) if e.phone else None, "fp": fp,
    })
    return Verdict.ACCEPTED


def _would_cycle(user_id: str, inviter_id: str, stored: Stored) -> bool:
    """Whether binding user_id under inviter_id closes a loop (user_id is an upline of it)."""
    # Walk up through users this batch registered, then ask the graph for the rest.
    current: str | None = inviter_id
    seen: set[str] = set()
    while current is not None:
        if current == user_id:
            return True
        known = stored.users.get(current)
        if known is None or not known.get("in_batch") or current in seen:
            break
        seen.add(current)
        current = known.get("invited_by")
    if current is None:
        return False
    rows = db.read_query("events.is_ancestor", user_id=user_id, inviter_id=current)
    return bool(rows and rows[0]["cycle"])


def _check_session(e: Session, index: int, stored: Stored, plan: Plan) -> Outcome:
    if e.user_id not in stored.users:
        return Refused("unknown_user", f"user {e.user_id} is not registered")
    key = e.fingerprint()
    if key in stored.sessions:
        return Verdict.DUPLICATE
    stored.sessions.add(key)
    plan.sessions.append({"id": key, "user_id": e.user_id, "device_id": e.device_id,
                          "ip": e.ip, "at": e.at.isoformat()})
    return Verdict.ACCEPTED


def _check_level(e: UserLevelChanged, index: int, stored: Stored, plan: Plan) -> Outcome:
    if e.user_id not in stored.users:
        return Refused("unknown_user", f"user {e.user_id} is not registered")
    key = e.fingerprint()
    if key in stored.levels:
        return Verdict.DUPLICATE
    stored.levels.add(key)
    plan.levels.append({"index": index, "id": key, "user_id": e.user_id, "level": e.level,
                        "at": e.at.isoformat()})
    return Verdict.ACCEPTED


def _check_order(e: OrderPaid, index: int, stored: Stored, plan: Plan) -> Outcome:
    fp = e.fingerprint()
    existing = stored.orders.get(e.order_id)
    if existing is not None:
        if existing["fp"] == fp:
            return Verdict.DUPLICATE
        return Refused("conflict", f"order {e.order_id} is already stored with other content")
    if e.user_id not in stored.users:
        return Refused("unknown_user", f"buyer {e.user_id} is not registered")
    stored.orders[e.order_id] = {"id": e.order_id, "fp": fp, "amount_cents": e.amount_cents,
                                 "refunded_cents": 0, "completed_at": None}
    plan.orders.append({
        "index": index, "order_id": e.order_id, "user_id": e.user_id,
        "amount_cents": e.amount_cents, "at": e.at.isoformat(), "skus": [i.sku for i in e.items],
        "categories": [i.category or "" for i in e.items],
        "item_amounts": [i.amount_cents for i in e.items],
        "device_id": e.device_id, "ip": e.ip, "payment_account": e.payment_account,
        "shipping_address": e.shipping_address, "fp": fp,
    })
    return Verdict.ACCEPTED


def _check_refund(e: OrderRefunded, index: int, stored: Stored, plan: Plan) -> Outcome:
    fp = e.fingerprint()
    existing = stored.refunds.get(e.refund_id)
    if existing is not None:
        if existing["fp"] == fp:
            return Verdict.DUPLICATE
        return Refused("conflict", f"refund {e.refund_id} is already stored with other content")
    order = stored.orders.get(e.order_id)
    if order is None:
        return Refused("unknown_order", f"order {e.order_id} is not stored")
    left = order["amount_cents"] - order["refunded_cents"]
    if e.amount_cents > left:
        return Refused("refund_exceeds_order", f"refund of {e.amount_cents} cents exceeds "
                                               f"the {left} cents not yet refunded")
    plan.refund_basis.setdefault(e.order_id, order["refunded_cents"])
    order["refunded_cents"] += e.amount_cents
    stored.refunds[e.refund_id] = {"id": e.refund_id, "fp": fp}
    plan.refunds.append({"index": index, "refund_id": e.refund_id, "order_id": e.order_id,
                         "amount_cents": e.amount_cents, "at": e.at.isoformat(), "fp": fp})
    return Verdict.ACCEPTED


def _check_completion(e: OrderCompleted, index: int, stored: Stored, plan: Plan) -> Outcome:
    order = stored.orders.get(e.order_id)
    if order is None:
        return Refused("unknown_order", f"order {e.order_id} is not stored")
    if order["completed_at"] is not None:
        if _instant(order["completed_at"]) == e.at:
            return Verdict.DUPLICATE
        return _completed_before(e.order_id, order["completed_at"])
    order["completed_at"] = e.at
    plan.completions.append({"index": index, "order_id": e.order_id, "at": e.at.isoformat()})
    return Verdict.ACCEPTED


def _instant(value: datetime | str) -> datetime:
    """A completion time as the batch has it (datetime) or as stored (Neo4j's ISO string,
    whose fraction may run to nanoseconds: cut to microseconds, which is all an event has)."""
    if isinstance(value, datetime):
        return value
    head, dot, rest = value.partition(".")
    if dot:
        digits = len(rest) - len(rest.lstrip("0123456789"))
        value = f"{head}.{rest[:min(digits, 6)]}{rest[digits:]}"
    return datetime.fromisoformat(value)


# The check of each event type, by the event's class.
CHECKS: dict[type, Callable[[Any, int, Stored, Plan], Outcome]] = {
    UserRegistered: _check_user,
    Session: _check_session,
    OrderPaid: _check_order,
    OrderRefunded: _check_refund,
    OrderCompleted: _check_completion,
    UserLevelChanged: _check_level,
}
