"""Rate limits counted in each process's memory and exchanged with Redis in the background
(api/ratelimit.py): the counting itself (pure, with a dict for Redis), the exchange on the
real Redis, and a caller over its limit answered 429 with Retry-After."""

import asyncio
import time
import uuid

import pytest

from api import ratelimit
from graph import redis_clients
from graph.settings import get_settings
from tests.conftest import auth

NOW = 6000.0  # the start of a window (100)


@pytest.fixture
def limits(monkeypatch):
    """Three requests a minute per address, five per key."""
    monkeypatch.setenv("TIERGRAPH_RATE_LIMIT_PER_ADDRESS_PER_MINUTE", "3")
    monkeypatch.setenv("TIERGRAPH_RATE_LIMIT_PER_MINUTE", "5")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


class DictRedis:
    """The shared counters as a dict: what INCRBY does, and a switch to fail."""

    def __init__(self) -> None:
        self.totals: dict[str, int] = {}
        self.down = False

    async def push(self, sending: dict[str, int]) -> dict[str, int]:
        if self.down:
            raise ConnectionError("down")
        for name, added in sending.items():
            self.totals[name] = self.totals.get(name, 0) + added
        return {name: self.totals[name] for name in sending}


def test_one_process_holds_an_address_to_its_limit_exactly(limits):
    counts = ratelimit.LocalCounts()
    seen = [counts.count("1.2.3.4", None, NOW + n) for n in range(4)]
    assert seen[:3] == [None] * 3
    assert seen[3] == ratelimit.Limited("address", 3, 57)  # 60 s window, 3 s in
    assert counts.count("5.6.7.8", None, NOW + 4) is None  # another address: its own count


def test_the_address_is_judged_before_the_key_and_the_key_across_addresses(limits):
    counts = ratelimit.LocalCounts()
    assert [counts.count(f"10.0.0.{n}", "key-a", NOW) for n in range(5)] == [None] * 5
    assert counts.count("10.0.0.9", "key-a", NOW) == ratelimit.Limited("key", 5, 60)
    for _ in range(3):
        counts.count("10.0.1.1", "key-b", NOW)
    refused = counts.count("10.0.1.1", "key-b", NOW)
    assert refused is not None and refused.by == "address"  # both over: the address speaks


def test_processes_share_their_counts_at_each_exchange(limits):
    store = DictRedis()
    first, second = ratelimit.LocalCounts(), ratelimit.LocalCounts()
    # Between exchanges each process sees only its own counts (the approximation).
    assert [first.count("9.9.9.9", None, NOW) for _ in range(2)] == [None, None]
    assert [second.count("9.9.9.9", None, NOW) for _ in range(2)] == [None, None]
    assert asyncio.run(ratelimit.reconcile(first, store.push, NOW)) == 1
    assert asyncio.run(ratelimit.reconcile(second, store.push, NOW)) == 1
    assert store.totals == {"tiergraph:ratelimit:addr:9.9.9.9:100": 4}
    assert second.count("9.9.9.9", None, NOW) is not None  # 4 + 1 > 3: it heard of all
    assert first.count("9.9.9.9", None, NOW) is None  # 2 + 1: the second's not heard yet
    assert asyncio.run(ratelimit.reconcile(first, store.push, NOW)) == 1
    assert asyncio.run(ratelimit.reconcile(second, store.push, NOW)) == 1
    assert store.totals["tiergraph:ratelimit:addr:9.9.9.9:100"] == 6  # refusals count too
    assert first.count("9.9.9.9", None, NOW) is not None  # 5 + 1


def test_a_failed_exchange_is_sent_with_the_next_and_a_new_window_starts_afresh(limits):
    store = DictRedis()
    counts = ratelimit.LocalCounts()
    counts.count("8.8.8.8", None, NOW)
    store.down = True
    with pytest.raises(ConnectionError):
        asyncio.run(ratelimit.reconcile(counts, store.push, NOW))
    counts.count("8.8.8.8", None, NOW)
    store.down = False
    asyncio.run(ratelimit.reconcile(counts, store.push, NOW))
    assert store.totals == {"tiergraph:ratelimit:addr:8.8.8.8:100": 2}
    assert asyncio.run(ratelimit.reconcile(counts, store.push, NOW)) == 0  # nothing new
    later = NOW + ratelimit.WINDOW_SECONDS
    assert [counts.count("8.8.8.8", None, later) for _ in range(3)] == [None] * 3
    asyncio.run(ratelimit.reconcile(counts, store.push, later))
    assert store.totals["tiergraph:ratelimit:addr:8.8.8.8:101"] == 3


def test_the_exchange_adds_to_the_counters_in_redis(services, limits):
    address = f"test-{uuid.uuid4().hex[:12]}"
    now = time.time()
    name = f"tiergraph:ratelimit:addr:{address}:{int(now // ratelimit.WINDOW_SECONDS)}"

    async def exchange() -> list[int]:
        client = redis_clients.app_async()
        try:
            push = ratelimit.redis_push(client)
            first, second = ratelimit.LocalCounts(), ratelimit.LocalCounts()
            first.count(address, None, now)
            second.count(address, None, now)
            second.count(address, None, now)
            return [await ratelimit.reconcile(first, push, now),
                    await ratelimit.reconcile(second, push, now),
                    int(await client.get(name)), int(await client.ttl(name))]
        finally:
            await client.aclose()

    sent_first, sent_second, total, ttl = asyncio.run(exchange())
    assert (sent_first, sent_second, total) == (1, 1, 3)
    assert 0 < ttl <= 2 * ratelimit.WINDOW_SECONDS


def _over_the_limit(address: str) -> list | None:
    """Four upline calls from `address` (limit 3); None when the minute turned meanwhile."""
    from fastapi.testclient import TestClient

    from api.main import app

    caller = TestClient(app, client=(address, 50000))
    window = int(time.time() // ratelimit.WINDOW_SECONDS)
    answers = [caller.get("/v1/users/nobody-here/upline", headers=auth("mall"))
               for _ in range(4)]
    return answers if int(time.time() // ratelimit.WINDOW_SECONDS) == window else None


@pytest.fixture
def address_limit(monkeypatch):
    """Three requests a minute per address; the keys' limit stays the tests' (they are
    shared by every test)."""
    monkeypatch.setenv("TIERGRAPH_RATE_LIMIT_PER_ADDRESS_PER_MINUTE", "3")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def test_a_caller_over_the_limit_is_answered_429_with_retry_after(client, address_limit):
    address = f"test-{uuid.uuid4().hex[:12]}"
    answers = _over_the_limit(address) or _over_the_limit(address + "-again")
    assert answers is not None
    assert [a.status_code for a in answers] == [404, 404, 404, 429]
    refused = answers[-1]
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"].endswith("/rate-limited")
    assert "from this address" in refused.json()["detail"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
