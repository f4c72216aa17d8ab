"""The Redis clients of a process, made once per server and account and shared.

Two servers: the task queue's Redis (jobs, locks, rate limits, the sandbox gateway) and
the audit store, where the audit log is sealed (graph/audit/seals.py). Callers ask here
rather than build clients, so timeouts are set in one place and connections are pooled.
"""

from functools import lru_cache
from urllib.parse import urlparse

import redis
import redis.asyncio

from graph.settings import get_settings

# Everything but the request path waits this long for Redis before giving up.
TIMEOUT_SECONDS = 2.0
# The rate limit sits on every request: a slow Redis must not slow the mall's calls.
REQUEST_PATH_TIMEOUT_SECONDS = 0.5
# The uplines each API process keeps in memory (graph/users/invites.py): a counter bumped
# whenever a user or an invitation is removed; every process drops its cached uplines when
# it reads a new value.
UPLINES_EPOCH_KEY = "tiergraph:uplines:epoch"


@lru_cache
def _from_url(url: str, timeout: float, decode: bool) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout,
                                decode_responses=decode)


def app() -> redis.Redis:
    """The task queue's Redis (TIERGRAPH_REDIS_URL)."""
    return _from_url(get_settings().redis_url, TIMEOUT_SECONDS, False)


def request_path() -> redis.Redis:
    """The task queue's Redis with the short timeouts of the request path."""
    return _from_url(get_settings().redis_url, REQUEST_PATH_TIMEOUT_SECONDS, False)


def audit_app() -> redis.Redis:
    """The audit store as the application's append-and-read account."""
    return _from_url(get_settings().audit_store_url, TIMEOUT_SECONDS, True)


@lru_cache
def _audit_admin(host: str, port: int, user: str, password: str) -> redis.Redis:
    return redis.Redis(host=host, port=port, username=user, password=password,
                       socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS,
                       decode_responses=True)


def audit_admin(user: str) -> redis.Redis:
    """The audit store as its administrator `user` (TIERGRAPH_AUDIT_ADMIN_PASSWORD)."""
    settings = get_settings()
    url = urlparse(settings.audit_store_url)
    return _audit_admin(url.hostname or "127.0.0.1", url.port or 6379, user,
                        settings.audit_admin_password.get_secret_value())


def answers(client: redis.Redis) -> bool:
    """True when the server answers a PING."""
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


def forget() -> None:
    """Drop the clients made so far (after the settings changed, in tests)."""
    _from_url.cache_clear()
    _audit_admin.cache_clear()


def app_async() -> redis.asyncio.Redis:
    """A new async client of the task queue's Redis, with the request path's timeouts, for
    the running event loop only (the API's background tasks make one each and close it)."""
    timeout = REQUEST_PATH_TIMEOUT_SECONDS
    return redis.asyncio.Redis.from_url(get_settings().redis_url, socket_timeout=timeout,
                                        socket_connect_timeout=timeout)


def uplines_changed() -> int:
    """Tell every process to drop its cached uplines (after users or invitations were
    removed, once that has committed); returns the new epoch."""
    return int(app().incr(UPLINES_EPOCH_KEY))
