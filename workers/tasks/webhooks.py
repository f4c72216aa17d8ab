"""Delivering webhooks: the drain, queued after each commit that wrote deliveries (the API's
and the worker's own), every minute by the beat in case one was missed, and again when
the earliest retry falls due before the beat's next turn."""

import logging
import math
from datetime import UTC, datetime

from graph import redis_clients
from graph.webhooks import delivery, outbox
from workers.app import app

log = logging.getLogger(__name__)
DRAIN_EVERY_SECONDS = 60.0  # the beat's entry (workers/app.py)
FOLLOW_UP_KEY = "tiergraph:webhooks:follow-up"  # set while a drain is queued for a retry


@app.task(name="webhooks.deliver")
def deliver(follow_up: bool = False) -> dict[str, int]:
    """Deliver every delivery due; returns counts per state reached."""
    if follow_up:
        redis_clients.app().delete(FOLLOW_UP_KEY)
    counts = delivery.drain()
    _queue_follow_up()
    return counts


@app.task(name="webhooks.prune")
def prune() -> int:
    """Delete delivery logs done for more than 30 days; returns how many."""
    return delivery.prune()


def _queue_follow_up() -> None:
    """Queue one drain for the earliest retry when it falls due before the beat's next
    drain; one at a time, whichever drain queues it."""
    due = delivery.next_due()
    if due is None:
        return
    wait = max(0.0, (due - datetime.now(UTC)).total_seconds())
    if wait >= DRAIN_EVERY_SECONDS:
        return
    if redis_clients.app().set(FOLLOW_UP_KEY, "1", nx=True, ex=math.ceil(wait) + 30):
        deliver.apply_async(kwargs={"follow_up": True}, countdown=wait, ignore_result=True)


def kick() -> None:
    """Queue a drain now (after a commit that wrote deliveries)."""
    app.send_task("webhooks.deliver", ignore_result=True)


outbox.notify_with(kick)
