"""Rate limits in Redis: a fixed one-minute window per client address and per API key, 429
with Retry-After.

Both counts are taken in one round trip; the address's limit is judged first, so a caller
over it is refused whatever key it sends and learns nothing of the key. If Redis cannot be
reached the request is let through (and logged): the mall's order flow matters more than the
limit, and /readyz already reports Redis down.
"""

import logging
import math
import time
from typing import NamedTuple

import redis

from graph import redis_clients
from graph.settings import get_settings

log = logging.getLogger(__name__)
WINDOW_SECONDS = 60
MAX_ADDRESS_CHARS = 64  # an IPv6 address with its zone fits; anything longer is cut


class Limited(NamedTuple):
    """A refusal: which limit (`address` or `key`), its size, and seconds until it resets."""

    by: str
    limit: int
    retry_after: int


def _counter(kind: str, identity: str, window: int) -> str:
    return f"tiergraph:ratelimit:{kind}:{identity}:{window}"


def count(address: str, key_identity: str | None) -> Limited | None:
    """Count one request from `address` and, when the key is valid, of `key_identity`;
    the limit passed first, address before key, else None."""
    settings = get_settings()
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    counters = [("address", _counter("addr", address[:MAX_ADDRESS_CHARS], window),
                 settings.rate_limit_per_address_per_minute)]
    if key_identity is not None:
        counters.append(("key", _counter("key", key_identity, window),
                         settings.rate_limit_per_minute))
    try:
        pipe = redis_clients.request_path().pipeline(transaction=False)
        for _, counter, _ in counters:
            pipe.incr(counter)
            pipe.expire(counter, WINDOW_SECONDS * 2)
        counts = pipe.execute()[::2]
    except redis.RedisError as error:
        log.warning("rate limit not applied, Redis unavailable: %s", error)
        return None
    for (by, _, limit), seen in zip(counters, counts, strict=True):
        if int(seen) > limit:
            return Limited(by, limit, max(1, math.ceil((window + 1) * WINDOW_SECONDS - now)))
    return None
