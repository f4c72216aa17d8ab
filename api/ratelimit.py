"""Rate limits: a fixed one-minute window per client address and per API key, 429 with
Retry-After, counted in each process's memory and shared through Redis in the background.

The address's limit is judged first, so a caller over it is refused whatever key it sends
and learns nothing of the key. No request waits for Redis: each process counts in memory
(`LocalCounts`) and, every SYNC_SECONDS, adds what it counted to the shared counters in Redis
and reads their totals back (`reconcile_forever`, run by the API's lifespan). A request is
judged on the total last read plus what this process counted since.

The limit is therefore approximate across processes: a caller served by one process is held
to it exactly; one whose requests are spread over P processes may pass it by what the other
processes admitted since their last exchange with Redis, at most its own rate times
SYNC_SECONDS times (P-1)/P (plus one exchange's time). While Redis cannot be reached each
process holds each caller to the limit on its own (P times the limit at worst, for P
processes) and catches up with Redis once it answers again; the mall's order flow matters
more than the limit, and /readyz already reports Redis down.
"""

import asyncio
import logging
import math
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import NamedTuple

import redis

from graph import redis_clients
from graph.settings import get_settings

log = logging.getLogger(__name__)
WINDOW_SECONDS = 60
MAX_ADDRESS_CHARS = 64  # an IPv6 address with its zone fits; anything longer is cut
SYNC_SECONDS = 0.1  # how often a process exchanges its counts with Redis


class Limited(NamedTuple):
    """A refusal: which limit (`address` or `key`), its size, and seconds until it resets."""

    by: str
    limit: int
    retry_after: int


def _counter(kind: str, identity: str, window: int) -> str:
    return f"tiergraph:ratelimit:{kind}:{identity}:{window}"


@dataclass
class _Count:
    window: int
    known: int = 0  # the shared total as last read from Redis (this process's part included)
    pending: int = 0  # counted here since, not sent yet
    sending: int = 0  # sent in the exchange under way


class LocalCounts:
    """One process's counts of the current windows, by counter name (as in Redis)."""

    def __init__(self) -> None:
        self._counts: dict[str, _Count] = {}
        self._lock = threading.Lock()

    def count(self, address: str, key_identity: str | None, now: float) -> Limited | None:
        """Count one request from `address` and, when the key is valid, of `key_identity`;
        the limit passed first, address before key, else None."""
        settings = get_settings()
        window = int(now // WINDOW_SECONDS)
        counters = [("address", _counter("addr", address[:MAX_ADDRESS_CHARS], window),
                     settings.rate_limit_per_address_per_minute)]
        if key_identity is not None:
            counters.append(("key", _counter("key", key_identity, window),
                             settings.rate_limit_per_minute))
        refused = None
        with self._lock:
            for by, name, limit in counters:
                found = self._counts.get(name)
                if found is None:
                    found = self._counts[name] = _Count(window)
                found.pending += 1
                if refused is None and found.known + found.sending + found.pending > limit:
                    refused = Limited(by, limit,
                                      max(1, math.ceil((window + 1) * WINDOW_SECONDS - now)))
        return refused

    def take(self, now: float) -> dict[str, int]:
        """Start an exchange: the counts to add to Redis, by counter (those of past windows
        dropped, whatever they held)."""
        window = int(now // WINDOW_SECONDS)
        with self._lock:
            for name in [n for n, c in self._counts.items() if c.window < window]:
                del self._counts[name]
            out = {}
            for name, found in self._counts.items():
                if found.pending:
                    found.sending += found.pending
                    found.pending = 0
                    out[name] = found.sending
            return out

    def settle(self, totals: dict[str, int]) -> None:
        """End an exchange: Redis's totals after the additions of `take`."""
        with self._lock:
            for name, total in totals.items():
                found = self._counts.get(name)
                if found is not None:
                    found.known, found.sending = total, 0

    def fail(self) -> None:
        """End an exchange that failed: what was being sent is sent with the next one."""
        with self._lock:
            for found in self._counts.values():
                found.pending += found.sending
                found.sending = 0

    def clear(self) -> None:
        """Forget every count (tests)."""
        with self._lock:
            self._counts.clear()


_counts = LocalCounts()


def count(address: str, key_identity: str | None) -> Limited | None:
    """Count one request in this process (no Redis round trip): see LocalCounts.count."""
    return _counts.count(address, key_identity, time.time())


def local_counts() -> LocalCounts:
    """This process's counts (for the tests and the reconciler)."""
    return _counts


Push = Callable[[dict[str, int]], Awaitable[dict[str, int]]]


async def reconcile(counts: LocalCounts, push: Push, now: float) -> int:
    """One exchange: add this process's new counts to the shared ones with `push`, which
    answers the totals; returns how many counters were sent."""
    sending = counts.take(now)
    if not sending:
        return 0
    try:
        totals = await push(sending)
    except BaseException:
        counts.fail()
        raise
    counts.settle(totals)
    return len(sending)


def redis_push(client: redis.asyncio.Redis) -> Push:
    """`push` on Redis: INCRBY each counter (kept two windows) in one pipeline."""

    async def push(sending: dict[str, int]) -> dict[str, int]:
        pipe = client.pipeline(transaction=False)
        for name, added in sending.items():
            pipe.incrby(name, added)
            pipe.expire(name, WINDOW_SECONDS * 2)
        answers = await pipe.execute()
        return {name: int(total) for name, total in zip(sending, answers[::2], strict=True)}

    return push


async def reconcile_forever() -> None:
    """Exchange this process's counts with Redis every SYNC_SECONDS until cancelled (the
    API's lifespan runs it); a failed exchange is logged once and retried."""
    client = redis_clients.app_async()
    push = redis_push(client)
    warned = False
    try:
        while not _cancelling():
            await asyncio.sleep(SYNC_SECONDS)
            try:
                await reconcile(_counts, push, time.time())
                warned = False
            except (redis.RedisError, OSError) as error:
                if not warned:
                    log.warning("rate limits counted per process, Redis unavailable: %s",
                                error)
                    warned = True
    finally:
        await client.aclose()


def _cancelling() -> bool:
    """Whether this task was asked to stop (a cancel the Redis client swallowed included)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
