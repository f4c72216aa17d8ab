"""Per-key rate limits in Redis: a fixed one-minute window per key, 429 with Retry-After.

If Redis cannot be reached the request is let through (and logged): the mall's order flow
matters more than the limit, and /readyz already reports Redis down.
"""

import logging
import math
import time

import redis

from graph import redis_clients
from graph.settings import get_settings

log = logging.getLogger(__name__)
WINDOW_SECONDS = 60


def retry_after(identity: str, limit: int | None = None) -> int | None:
    """Count one request of `identity`; seconds to wait when over the limit, else None."""
    limit = limit or get_settings().rate_limit_per_minute
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    key = f"tiergraph:ratelimit:{identity}:{window}"
    try:
        pipe = redis_clients.request_path().pipeline()
        pipe.incr(key)
        pipe.expire(key, WINDOW_SECONDS * 2)
        count = int(pipe.execute()[0])
    except redis.RedisError as error:
        log.warning("rate limit not applied, Redis unavailable: %s", error)
        return None
    if count <= limit:
        return None
    return max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
