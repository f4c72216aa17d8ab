"""Detection after a large write. An events batch or an import that wrote at least
TIERGRAPH_DETECT_AFTER_EVENTS new events arms a trigger in Redis (`note_written`); the beat's
check (`risk.detect_after_events`, every minute) takes it (`take_due`) and starts one run once
no such write came for TIERGRAPH_DETECT_QUIET_SECONDS, so a stream of batches or chunks makes
one run after it ends rather than one per batch. A trigger armed MAX_WAIT_SECONDS ago fires
even while the stream goes on.
"""

import logging
import time

import redis

from graph import redis_clients
from graph.settings import get_settings

log = logging.getLogger(__name__)
KEY = "tiergraph:detect:after-events"  # a hash: armed_at, last_at (epoch seconds), events
MAX_WAIT_SECONDS = 3600.0


def due(armed_at: float, last_at: float, now: float, quiet: float,
        max_wait: float = MAX_WAIT_SECONDS) -> bool:
    """True when an armed trigger should start a run: quiet for `quiet` seconds since the
    last large write, or armed for `max_wait`."""
    return now - last_at >= quiet or now - armed_at >= max_wait


def note_written(events: int) -> bool:
    """Arm the trigger when `events` new events (one batch, or an import so far) reach
    TIERGRAPH_DETECT_AFTER_EVENTS; True when armed. The events are committed already, so a
    Redis that does not answer is logged, not raised: the nightly run sees them anyway."""
    threshold = get_settings().detect_after_events
    if threshold <= 0 or events < threshold:
        return False
    now = time.time()
    try:
        pipe = redis_clients.app().pipeline()
        pipe.hsetnx(KEY, "armed_at", now)
        pipe.hset(KEY, mapping={"last_at": now, "events": events})
        pipe.execute()
    except redis.RedisError as error:
        log.warning("could not arm detection after %d events: %s", events, error)
        return False
    return True


def take_due(now: float | None = None) -> dict[str, float] | None:
    """The armed trigger when it is due, taken (so one run starts for it), else None."""
    client = redis_clients.app()
    raw = client.hgetall(KEY)
    if not raw:
        return None
    armed = {key.decode(): float(value) for key, value in raw.items()}
    moment = time.time() if now is None else now
    quiet = get_settings().detect_quiet_seconds
    if not due(armed.get("armed_at", moment), armed.get("last_at", moment), moment, quiet):
        return None
    # One taker: a write arming again meanwhile is seen by the run this starts.
    return armed if client.delete(KEY) else None


def put_back(armed: dict[str, float]) -> None:
    """Arm the trigger again with what `take_due` took (its run could not be queued); a
    write that armed it meanwhile keeps its own times."""
    pipe = redis_clients.app().pipeline()
    for field, value in armed.items():
        pipe.hsetnx(KEY, field, value)
    pipe.execute()
