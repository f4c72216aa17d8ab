"""What a batch reads from the graph (step 1) and what it writes there (step 3)."""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from neo4j import ManagedTransaction

from graph import db
from graph.ingest.events import (
    OrderCompleted,
    OrderPaid,
    OrderRefunded,
    Session,
    UserLevelChanged,
    UserRegistered,
)
from graph.money import team_bonuses
from graph.money.rebates import apply_refunds
from graph.settings import get_settings


@dataclass
class Stored:
    """The stored entries a batch refers to, by id; its check adds what the batch adds."""

    users: dict[str, dict[str, Any]]
    orders: dict[str, dict[str, Any]]
    refunds: dict[str, dict[str, Any]]
    sessions: set[str]
    levels: set[str] = field(default_factory=set)  # level changes' ids (content digests)

    def update(self, other: "Stored") -> None:
        """Lay `other`'s entries over these, each copied: a later check changes its own."""
        self.users.update((k, dict(v)) for k, v in other.users.items())
        self.orders.update((k, dict(v)) for k, v in other.orders.items())
        self.refunds.update((k, dict(v)) for k, v in other.refunds.items())
        self.sessions |= other.sessions
        self.levels |= other.levels


@dataclass
class Plan:
    """The rows a checked batch writes, by kind."""

    users: list[dict[str, Any]] = field(default_factory=list)
    sessions: list[dict[str, Any]] = field(default_factory=list)
    orders: list[dict[str, Any]] = field(default_factory=list)
    refunds: list[dict[str, Any]] = field(default_factory=list)
    completions: list[dict[str, Any]] = field(default_factory=list)
    levels: list[dict[str, Any]] = field(default_factory=list)
    # refunded_cents of each refunded order as the check read it: the write re-reads them
    # under the orders' locks, so two batches cannot both refund the same cents.
    refund_basis: dict[str, int] = field(default_factory=dict)


class Stale(Exception):
    """An order's refunds changed between the batch's check and its write."""


def read(events: list[Any]) -> Stored:
    """Step 1: the stored entries `events` refer to, in one read transaction."""
    return db.read(lambda tx: _load(tx, events))


def write(plan: Plan) -> dict[str, Any]:
    """Step 3: write `plan` in one transaction. Answers `total`, the rows it created; `orders`,
    the new order ids; and `found`, the users, orders, refunds and completions another batch
    stored after the check, as the write found them (written over by nothing)."""
    return db.write(lambda tx: _write(tx, plan))


def _load(tx: ManagedTransaction, events: list[Any]) -> Stored:
    """The stored users, orders, refunds and sessions that `events` name."""
    user_ids: set[str] = set()
    order_ids: set[str] = set()
    refund_ids: set[str] = set()
    session_ids: set[str] = set()
    level_ids: set[str] = set()
    for e in events:
        if isinstance(e, UserRegistered):
            user_ids.add(e.user_id)
            if e.invited_by:
                user_ids.add(e.invited_by)
        elif isinstance(e, Session):
            user_ids.add(e.user_id)
            session_ids.add(e.fingerprint())
        elif isinstance(e, OrderPaid):
            user_ids.add(e.user_id)
            order_ids.add(e.order_id)
        elif isinstance(e, OrderRefunded):
            order_ids.add(e.order_id)
            refund_ids.add(e.refund_id)
        elif isinstance(e, OrderCompleted):
            order_ids.add(e.order_id)
        elif isinstance(e, UserLevelChanged):
            user_ids.add(e.user_id)
            level_ids.add(e.fingerprint())

    def stored(name: str, ids: set[str]) -> list[dict[str, Any]]:
        return db.run_rows(tx, f"events.{name}_by_id", ids=list(ids))

    return Stored(
        users={r["id"]: r for r in stored("users", user_ids)},
        orders={r["id"]: r for r in stored("orders", order_ids)},
        refunds={r["id"]: r for r in stored("refunds", refund_ids)},
        sessions={r["id"] for r in stored("sessions", session_ids)},
        levels={r["id"] for r in stored("levels", level_ids)},
    )


def _write(tx: ManagedTransaction, plan: Plan) -> dict[str, Any]:
    """One transaction, UNWIND batches per type, in dependency order."""
    size = get_settings().write_batch_size
    token = uuid.uuid4().hex
    total = 0
    new_orders: list[str] = []
    found: list[dict[str, Any]] = []

    def batches(name: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [db.run(tx, name, rows=rows[start:start + size], token=token)[0]
                for start in range(0, len(rows), size)]

    if plan.refund_basis:  # lock the refunded orders, then make sure the check still holds
        ids = sorted(plan.refund_basis)
        db.run(tx, "rebates.lock_orders", ids=ids)
        now = db.run_rows(tx, "events.refunded_of_orders", ids=ids)
        if any(r["refunded_cents"] != plan.refund_basis[r["id"]] for r in now):
            raise Stale()
    for answer in batches("events.write_users", plan.users):
        total += answer["created"]
        found.extend(answer["found"])
    # sessions lock their users in id order too (LOCK ORDER below)
    by_session_user = sorted(plan.sessions, key=itemgetter("user_id", "id"))
    for answer in batches("events.write_sessions", by_session_user):
        total += answer["created"]
    by_user = sorted(plan.levels, key=itemgetter("user_id", "at", "id"))  # users ascending
    for answer in batches("events.write_levels", by_user):
        total += answer["created"]
    # LOCK ORDER: writing a relationship locks both its nodes until the commit. The API's
    # ingestion and the workers' rebate computations run at once and lock the same users (a
    # buyer here, a beneficiary there; a super-inviter is both, everywhere), so every
    # statement takes its users, and then its identifiers, in ascending id order: a wait
    # where the order differed would be a deadlock and a retried transaction. A rebate
    # computation takes orders, then budgeted rules, then users, each set in id order
    # (graph/money/rebates.py); ingestion takes no rule. (Those left come from the kernel's
    # own relationship-group locks: docs/design.md.)
    by_buyer = sorted(plan.orders, key=lambda r: (r["user_id"], r["order_id"]))
    for answer in batches("events.write_orders", by_buyer):
        new_orders.extend(answer["ids"])
        found.extend(answer["found"])
    total += len(new_orders)
    # Each link kind is its own simple statement: fewer eager barriers than one big one.
    created = set(new_orders)
    orders = [r for r in by_buyer if r["order_id"] in created]
    for name, key in (("events.order_links_device", "device_id"), ("events.order_links_ip", "ip"),
                      ("events.order_links_payment", "payment_account"),
                      ("events.order_links_address", "shipping_address")):
        linked = sorted((r for r in orders if r[key] is not None),
                        key=itemgetter(key, "order_id"))
        batches(name, linked)
    # completions lock their orders, in id order like every other lock
    completions = sorted(plan.completions, key=itemgetter("order_id"))
    for name, rows in (("events.write_refunds", plan.refunds),
                       ("events.write_completions", completions)):
        for answer in batches(name, rows):
            total += answer["created"]
            found.extend(answer["found"])
    if plan.refunds:  # their rebates shrink in the same transaction as the refund lands
        refunded = sorted({r["order_id"] for r in plan.refunds})
        apply_refunds(tx, refunded, datetime.now(UTC), token)
        team_bonuses.apply_refunds(tx, refunded, datetime.now(UTC), token)
    return {"total": total, "orders": new_orders, "found": found}
