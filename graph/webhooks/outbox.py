"""The outbox: what the mall is told, written in the transaction that makes the change.

Each change writes one `WebhookDelivery` per subscribed endpoint, its body fixed then (the
same bytes, and the same `id`, on every retry), so a change that commits is told at least
once and one that rolls back is never told. Bulk changes (a settlement batch) write their
deliveries in one query; with no endpoint subscribed a change costs one read.

`rebate.status_changed` is told once per rebate and change, not once per batch: the mall
keeps one row per rebate, and an event per rebate updates it alone, idempotently by the
delivery id, whichever batch, run or retry moved it.

After the commit the registered notifiers (the API's and the worker's: they queue the
worker's drain) are called; the beat's periodic drain delivers what a notifier missed.
"""

import logging
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from neo4j import ManagedTransaction

from graph import db

log = logging.getLogger(__name__)
REBATE_STATUS_CHANGED = "rebate.status_changed"
WITHDRAWAL_COMPLETED = "withdrawal.completed"
WITHDRAWAL_REJECTED = "withdrawal.rejected"
RING_DECIDED = "ring.decided"
RETRY_HOURS = 24  # a delivery not accepted within this many hours of its event is failed

_written = threading.local()  # set when a transaction wrote deliveries, cleared after commit
_notifiers: list[Callable[[], None]] = []


def notify_with(notifier: Callable[[], None]) -> None:
    """Call `notifier` after each write transaction that wrote deliveries has committed."""
    if notifier not in _notifiers:
        _notifiers.append(notifier)


def emit(tx: ManagedTransaction, event_type: str, items: list[dict[str, Any]],
         at: datetime | None = None) -> int:
    """Write, in the caller's transaction, an event of `event_type` per item (its `data`)
    for every endpoint subscribed; returns how many deliveries were written."""
    if not items:
        return 0
    hooks = db.run(tx, "webhooks.subscribers", type=event_type)
    return _write(tx, event_type, hooks, items, at)


def rebate_changes(tx: ManagedTransaction, changes: list[tuple[str, str | None]],
                   at: datetime | None = None) -> int:
    """Write a `rebate.status_changed` event per (rebate id, status before; None for a
    rebate just made) of `changes`, each rebate as it stands in the caller's transaction
    (status, reason and amount after the change); returns how many deliveries were written."""
    if not changes:
        return 0
    previous = dict(changes)
    facts = db.run(tx, "webhooks.rebate_facts", type=REBATE_STATUS_CHANGED,
                   ids=list(previous))[0]
    items = [{**row, "previous_status": previous[row["rebate_id"]]} for row in facts["rows"]]
    return _write(tx, REBATE_STATUS_CHANGED, facts["hooks"], items, at)


def body(delivery_id: str, event_type: str, created_at: str, data: dict[str, Any]) -> bytes:
    """The JSON body of one delivery (SPEC 10.3)."""
    return orjson.dumps({"id": delivery_id, "type": event_type, "created_at": created_at,
                         "data": data})


def _write(tx: ManagedTransaction, event_type: str, hooks: list[dict[str, Any]],
           items: list[dict[str, Any]], at: datetime | None) -> int:
    if not hooks or not items:
        return 0
    at = at or datetime.now(UTC)
    created_at = at.isoformat()
    rows = []
    for data in items:
        for hook in hooks:
            delivery_id = f"whd_{uuid.uuid4().hex}"
            rows.append({"id": delivery_id, "hook_key": hook["key"],
                         "webhook_id": hook["webhook_id"], "type": event_type,
                         "body": body(delivery_id, event_type, created_at, data).decode()})
    db.run(tx, "webhooks.enqueue", rows=rows, at=created_at, retry_hours=RETRY_HOURS)
    _written.pending = True
    return len(rows)


def _notify_after_commit() -> None:
    """After a write transaction that wrote deliveries: wake the drain. A notifier that
    fails (the queue down) loses nothing: the beat's drain finds the deliveries."""
    if not getattr(_written, "pending", False):
        return
    _written.pending = False
    for notifier in _notifiers:
        try:
            notifier()
        except Exception as error:  # the change has committed: never fail it for the wake-up
            log.warning("webhook drain not queued now, the periodic drain will run it: %s",
                        error)


db.after_commit(_notify_after_commit)
