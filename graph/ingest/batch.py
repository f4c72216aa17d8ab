"""Ingestion: one code path for POST /v1/events, POST /v1/users and `tiergraph import`.

A batch is handled in three steps:
1. read the stored state the batch refers to (one read transaction);
2. check the events in order against that state plus the batch's own earlier events,
   refusing each bad one with a reason and keeping the good ones;
3. write the good ones in one transaction, a few UNWIND statements per event type.
The answer is given only after that transaction committed, so an acknowledged event is
durable. Replays are recognised by content fingerprint and change nothing.
"""

import uuid
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from dataclasses import dataclass, field
from collections.abc import Callable
from typing import Any

from neo4j import ManagedTransaction

from graph import db
from graph.ingest.events import OrderCompleted, OrderPaid, OrderRefunded, Rejection, Session, UserRegistered, parse_event, parse_line
from graph.users.pii import encrypt, lookup_hash
from graph.money.rebates import apply_refunds
from graph.settings import get_settings


@dataclass
class IngestResult:
    """What happened to a batch: counts, each refusal by index, and the orders to compute."""

    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    new_order_ids: list[str] = field(default_factory=list)

    def merge(self, other: "IngestResult", offset: int = 0) -> None:
        """Fold the result of a later chunk (indexes shifted by `offset`) into this one."""
        self.accepted += other.accepted
        self.duplicates += other.duplicates
        self.rejected.extend(
            Rejection(index=r.index + offset, reason=r.reason, detail=r.detail)
            for r in other.rejected
        )
        self.new_order_ids.extend(other.new_order_ids)

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": [r.model_dump() for r in self.rejected],
        }


@dataclass
class _Stored:
    users: dict[str, dict[str, Any]]
    orders: dict[str, dict[str, Any]]
    refunds: dict[str, dict[str, Any]]
    sessions: set[str]


@dataclass
class _Plan:
    users: list[dict[str, Any]] = field(default_factory=list)
    sessions: list[dict[str, Any]] = field(default_factory=list)
    orders: list[dict[str, Any]] = field(default_factory=list)
    refunds: list[dict[str, Any]] = field(default_factory=list)
    completions: list[dict[str, Any]] = field(default_factory=list)
    # refunded_cents of each refunded order as the check read it: the write re-reads them
    # under the orders' locks, so two batches cannot both refund the same cents.
    refund_basis: dict[str, int] = field(default_factory=dict)


class _Stale(Exception):
    """An order's refunds changed between the batch's check and its write."""


ATTEMPTS = 5


def ingest_lines(
    lines: list[bytes], chunk: int, after_chunk: Callable[[IngestResult, int], None] | None = None,
    pipelined: bool = False,
) -> IngestResult:
    """Ingest NDJSON lines `chunk` at a time (one write transaction each); rejections carry
    the 0-based line index. `after_chunk(result, lines_done)` runs after each commit, in
    order. `pipelined` reads and checks the next chunk while the last one is written, with
    the same result as one after another (see `_pipelined`)."""
    if pipelined:
        return _pipelined(lines, chunk, after_chunk)
    total = IngestResult()
    for start in range(0, len(lines), chunk):
        part = lines[start:start + chunk]
        result = ingest_parsed([parse_line(i, line) for i, line in enumerate(part)])
        if after_chunk is not None:
            after_chunk(result, start + len(part))
        total.merge(result, offset=start)
    return total


def ingest_raw(raw_events: list[Any]) -> IngestResult:
    """Validate and store a batch of raw JSON events (already decoded)."""
    parsed = [parse_event(i, raw) for i, raw in enumerate(raw_events)]
    return ingest_parsed(parsed)


def ingest_parsed(parsed: list[Any]) -> IngestResult:
    """Store a batch whose items are events or `Rejection`s from parsing, in batch order."""
    events, parse_rejections = _split(parsed)
    if not events:
        return IngestResult(rejected=parse_rejections)
    for attempt in range(1, ATTEMPTS + 1):
        result, plan, _ = _checked(events, parse_rejections, [])
        try:
            created = db.write(lambda tx: _write(tx, plan))
            break
        except _Stale:  # another batch refunded the same order meanwhile: check again
            if attempt == ATTEMPTS:
                raise
    return _finished(result, created)


def _split(parsed: list[Any]) -> tuple[list[tuple[int, Any]], list[Rejection]]:
    """The batch's events with their indexes, and the items parsing refused."""
    events = [(i, item) for i, item in enumerate(parsed) if not isinstance(item, Rejection)]
    return events, [item for item in parsed if isinstance(item, Rejection)]


def _checked(events: list[tuple[int, Any]], parse_rejections: list[Rejection],
             unwritten: list[_Stored]) -> tuple[IngestResult, _Plan, _Stored]:
    """Steps 1 and 2: read the stored state (with what `unwritten` batches, checked but not
    yet committed, add on top of it), then check. Returns the result so far, the writes, and
    the state as the check left it."""
    result = IngestResult(rejected=list(parse_rejections))
    batch = [e for _, e in events]
    stored = db.read(lambda tx: _load_stored(tx, batch))
    for earlier in unwritten:  # oldest first, so the latest state of an entry wins
        stored.users.update((k, dict(v)) for k, v in earlier.users.items())
        stored.orders.update((k, dict(v)) for k, v in earlier.orders.items())
        stored.refunds.update((k, dict(v)) for k, v in earlier.refunds.items())
        stored.sessions |= earlier.sessions
    plan = _Plan()
    _check(events, stored, plan, result)
    return result, plan, stored


def _adds(plan: _Plan, stored: _Stored) -> _Stored:
    """The entries of `stored` that a checked batch's writes add or change. They are
    shared, not copied: nothing touches a batch's `stored` after its check, and `_checked`
    copies each entry it lays over a later batch's state before that check changes it."""
    touched_orders = {r["order_id"] for rows in (plan.orders, plan.refunds, plan.completions)
                      for r in rows}
    return _Stored(
        users={r["user_id"]: stored.users[r["user_id"]] for r in plan.users},
        orders={o: stored.orders[o] for o in touched_orders},
        refunds={r["refund_id"]: stored.refunds[r["refund_id"]] for r in plan.refunds},
        sessions={r["id"] for r in plan.sessions},
    )


def _finished(result: IngestResult, created: dict[str, Any]) -> IngestResult:
    """Step 3's answer folded in: a row another writer stored first (between our read and
    write) is a replay now."""
    raced = result.accepted - created["total"]
    result.accepted -= raced
    result.duplicates += raced
    result.new_order_ids = created["orders"]
    result.rejected.sort(key=lambda r: r.index)
    return result


class _EarlierFailed(Exception):
    """The chunk before this one was not written; this one must be checked again."""


@dataclass
class _InFlight:
    start: int
    end: int
    parsed: list[Any]
    result: IngestResult
    adds: _Stored
    future: "Future[dict[str, Any]]"


def _pipelined(lines: list[bytes], chunk: int,
               after_chunk: Callable[[IngestResult, int], None] | None) -> IngestResult:
    """`ingest_lines` with the next chunk read and checked while the last one is written,
    and the same outcome as one chunk after another:

    - a chunk is checked against the stored state plus what the chunk still being written
      adds (its users, orders, refunds and sessions, as its own check left them);
    - writes run one at a time, in file order, on one writer thread, so a chunk's write
      starts only after the one before it committed: no statement meets a missing inviter,
      buyer or order. (Writing independent chunks at once was measured too: their deadlocks
      on shared identifiers cost what the second writer gained, docs/benchmarks.md.)
    - results are reported in chunk order. A chunk whose write was refused as stale, or came
      after one that failed, is checked and written again on its own; any other failure ends
      the import once the write in flight finished (chunks are idempotent: run it again).
    """
    total = IngestResult()
    flying: deque[_InFlight] = deque()

    def write_after(earlier: "Future[dict[str, Any]] | None", plan: _Plan) -> dict[str, Any]:
        if earlier is not None and earlier.exception() is not None:
            raise _EarlierFailed()
        return db.write(lambda tx: _write(tx, plan))

    def settle() -> None:  # the oldest chunk in flight: wait for it and report it
        job = flying.popleft()
        try:
            result = _finished(job.result, job.future.result())
        except (_Stale, _EarlierFailed):
            result = ingest_parsed(job.parsed)
        if after_chunk is not None:
            after_chunk(result, job.end)
        total.merge(result, offset=job.start)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-write") as pool:
        try:
            for start in range(0, len(lines), chunk):
                part = lines[start:start + chunk]
                parsed = [parse_line(i, line) for i, line in enumerate(part)]
                events, parse_rejections = _split(parsed)
                earlier = flying[-1].future if flying else None
                if events:
                    result, plan, stored = _checked(events, parse_rejections,
                                                    [job.adds for job in flying])
                    adds = _adds(plan, stored)
                    future = pool.submit(write_after, earlier, plan)
                else:
                    result, adds, future = IngestResult(rejected=parse_rejections), _Stored(
                        {}, {}, {}, set()), pool.submit(dict, total=0, orders=[])
                flying.append(_InFlight(start, start + len(part), parsed, result, adds, future))
                while len(flying) >= 2 or (flying and flying[0].future.done()):
                    settle()
            while flying:
                settle()
        finally:  # on a failure, let the write in flight end before the error is raised
            for job in flying:
                job.future.exception()
    return total


def _load_stored(tx: ManagedTransaction, events: list[Any]) -> _Stored:
    user_ids: set[str] = set()
    order_ids: set[str] = set()
    refund_ids: set[str] = set()
    session_ids: set[str] = set()
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

    def stored(name: str, ids: set[str]) -> list[dict[str, Any]]:
        return db.run_rows(tx, f"events.{name}_by_id", ids=list(ids))

    return _Stored(
        users={r["id"]: r for r in stored("users", user_ids)},
        orders={r["id"]: r for r in stored("orders", order_ids)},
        refunds={r["id"]: r for r in stored("refunds", refund_ids)},
        sessions={r["id"] for r in stored("sessions", session_ids)},
    )


def _would_cycle(user_id: str, inviter_id: str, stored: _Stored) -> bool:
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


def _check(events: list[tuple[int, Any]], stored: _Stored, plan: _Plan, result: IngestResult) -> None:
    """Step 2: decide each event in order, extending `stored` with what the batch adds."""

    def refuse(index: int, reason: str, detail: str) -> None:
        result.rejected.append(Rejection(index=index, reason=reason, detail=detail))

    for index, e in events:
        if isinstance(e, UserRegistered):
            fp = e.fingerprint()
            existing = stored.users.get(e.user_id)
            if existing is not None:
                if existing["fp"] == fp:
                    result.duplicates += 1
                elif e.invited_by and e.invited_by != existing["invited_by"] and _would_cycle(
                    e.user_id, e.invited_by, stored
                ):
                    refuse(index, "invite_cycle",
                           f"binding {e.user_id} under {e.invited_by} would close an invite cycle")
                elif e.invited_by != existing["invited_by"]:
                    refuse(index, "inviter_conflict",
                           f"user {e.user_id} is already bound to inviter "
                           f"{existing['invited_by'] or '(none)'}; an invite binding is permanent")
                else:
                    refuse(index, "conflict",
                           f"user {e.user_id} is already registered with other details")
                continue
            if e.invited_by and e.invited_by not in stored.users:
                refuse(index, "unknown_inviter", f"inviter {e.invited_by} is not a registered user")
                continue
            stored.users[e.user_id] = {"id": e.user_id, "fp": fp, "invited_by": e.invited_by,
                                       "in_batch": True}
            plan.users.append({
                "user_id": e.user_id, "invited_by": e.invited_by, "at": e.at.isoformat(), "level": e.level,
                "phone_enc": encrypt(e.phone) if e.phone else None,
                "phone_hash": lookup_hash(e.phone) if e.phone else None, "fp": fp,
            })
        elif isinstance(e, Session):
            if e.user_id not in stored.users:
                refuse(index, "unknown_user", f"user {e.user_id} is not registered")
                continue
            key = e.fingerprint()
            if key in stored.sessions:
                result.duplicates += 1
                continue
            stored.sessions.add(key)
            plan.sessions.append({"id": key, "user_id": e.user_id, "device_id": e.device_id,
                                  "ip": e.ip, "at": e.at.isoformat()})
        elif isinstance(e, OrderPaid):
            fp = e.fingerprint()
            existing = stored.orders.get(e.order_id)
            if existing is not None:
                if existing["fp"] == fp:
                    result.duplicates += 1
                else:
                    refuse(index, "conflict",
                           f"order {e.order_id} is already stored with other content")
                continue
            if e.user_id not in stored.users:
                refuse(index, "unknown_user", f"buyer {e.user_id} is not registered")
                continue
            stored.orders[e.order_id] = {"id": e.order_id, "fp": fp,
                                         "amount_cents": e.amount_cents, "refunded_cents": 0,
                                         "completed_at": None}
            plan.orders.append({
                "order_id": e.order_id, "user_id": e.user_id, "amount_cents": e.amount_cents,
                "at": e.at.isoformat(), "skus": [i.sku for i in e.items],
                "categories": [i.category or "" for i in e.items],
                "item_amounts": [i.amount_cents for i in e.items],
                "device_id": e.device_id, "ip": e.ip, "payment_account": e.payment_account,
                "shipping_address": e.shipping_address, "fp": fp,
            })
        elif isinstance(e, OrderRefunded):
            fp = e.fingerprint()
            existing = stored.refunds.get(e.refund_id)
            if existing is not None:
                if existing["fp"] == fp:
                    result.duplicates += 1
                else:
                    refuse(index, "conflict",
                           f"refund {e.refund_id} is already stored with other content")
                continue
            order = stored.orders.get(e.order_id)
            if order is None:
                refuse(index, "unknown_order", f"order {e.order_id} is not stored")
                continue
            left = order["amount_cents"] - order["refunded_cents"]
            if e.amount_cents > left:
                refuse(index, "refund_exceeds_order",
                       f"refund of {e.amount_cents} cents exceeds the {left} cents not yet refunded")
                continue
            plan.refund_basis.setdefault(e.order_id, order["refunded_cents"])
            order["refunded_cents"] += e.amount_cents
            stored.refunds[e.refund_id] = {"id": e.refund_id, "fp": fp}
            plan.refunds.append({"refund_id": e.refund_id, "order_id": e.order_id,
                                 "amount_cents": e.amount_cents, "at": e.at.isoformat(), "fp": fp})
        elif isinstance(e, OrderCompleted):
            order = stored.orders.get(e.order_id)
            if order is None:
                refuse(index, "unknown_order", f"order {e.order_id} is not stored")
                continue
            if order["completed_at"] is not None:
                if _instant(order["completed_at"]) == e.at:
                    result.duplicates += 1
                else:
                    refuse(index, "conflict", f"order {e.order_id} is already completed at "
                                              f"{_instant(order['completed_at']).isoformat()}")
                continue
            order["completed_at"] = e.at
            plan.completions.append({"order_id": e.order_id, "at": e.at.isoformat()})
        else:  # pragma: no cover - parse_event only yields the five types
            raise TypeError(type(e))
        result.accepted += 1


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


def _write(tx: ManagedTransaction, plan: _Plan) -> dict[str, Any]:
    """Step 3: one transaction, UNWIND batches per type, in dependency order."""
    size = get_settings().write_batch_size
    token = uuid.uuid4().hex
    total = 0
    new_orders: list[str] = []

    def batches(name: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [db.run(tx, name, rows=rows[start:start + size], token=token)[0]
                for start in range(0, len(rows), size)]

    if plan.refund_basis:  # lock the refunded orders, then make sure the check still holds
        ids = sorted(plan.refund_basis)
        db.run(tx, "rebates.lock_orders", ids=ids)
        now = db.run_rows(tx, "events.refunded_of_orders", ids=ids)
        if any(r["refunded_cents"] != plan.refund_basis[r["id"]] for r in now):
            raise _Stale()
    for answer in batches("events.write_users", plan.users):
        total += answer["created"]
    for answer in batches("events.write_sessions", plan.sessions):
        total += answer["created"]
    # LOCK ORDER: writing a relationship locks both its nodes until the commit. The API's
    # ingestion and the workers' rebate computations run at once and lock the same users (a
    # buyer here, a beneficiary there; a super-inviter is both, everywhere), so every
    # statement takes its users, and then its identifiers, in ascending id order: a wait
    # where the order differed would be a deadlock and a retried transaction. (Those left
    # come from the kernel's own relationship-group locks: docs/benchmarks.md.)
    by_buyer = sorted(plan.orders, key=lambda r: (r["user_id"], r["order_id"]))
    for answer in batches("events.write_orders", by_buyer):
        new_orders.extend(answer["ids"])
    total += len(new_orders)
    # Each link kind is its own simple statement: fewer eager barriers than one big one.
    created = set(new_orders)
    orders = [r for r in by_buyer if r["order_id"] in created]
    for name, key in (("events.order_links_device", "device_id"), ("events.order_links_ip", "ip"),
                      ("events.order_links_payment", "payment_account"),
                      ("events.order_links_address", "shipping_address")):
        batches(name, sorted((r for r in orders if r[key] is not None),
                             key=lambda r, key=key: (r[key], r["order_id"])))
    for name, rows in (("events.write_refunds", plan.refunds),
                       ("events.write_completions", plan.completions)):
        for answer in batches(name, rows):
            total += answer["created"]
    if plan.refunds:  # their rebates shrink in the same transaction as the refund lands
        refunded = sorted({r["order_id"] for r in plan.refunds})
        apply_refunds(tx, refunded, datetime.now(UTC), token)
    return {"total": total, "orders": new_orders}
