"""The uplines each API process keeps in memory (graph/users/invites.py): a cached answer is
the traversal's, an erasure told from another process clears it, a user not found is not
remembered, and the cache's own rules (tickets, size, freshness) hold."""

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable

import httpx

from graph import db
from graph.settings import get_settings
from graph.users import invites
from tests.conftest import auth
from tests.factories import make_chain

MALL = auth("mall")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 20) -> None:
    """Poll `condition` until it holds (bounded): the watcher works in the background."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not seen within {seconds} s: {what}"
        time.sleep(0.05)


def registered_chain(client, names: list[str]) -> None:
    answer = client.post("/v1/events", headers=MALL, json=make_chain(names))
    assert answer.status_code < 300 and answer.json()["accepted"] == len(names), answer.text


def test_a_cached_upline_is_the_traversals_answer(client, ids):
    cache = invites.cached_uplines()
    names = [ids(f"u{n}") for n in range(5)]
    registered_chain(client, names)
    wait_for(cache.fresh, "the watcher confirming the epoch")
    buyer = names[-1]
    first = client.get(f"/v1/users/{buyer}/upline", headers=MALL)
    assert cache.get(buyer) == (names[3], names[2], names[1])  # kept for the next call
    again = client.get(f"/v1/users/{buyer}/upline", headers=MALL)
    shallow = client.get(f"/v1/users/{buyer}/upline?depth=2", headers=MALL)
    assert first.status_code == again.status_code == shallow.status_code == 200
    assert first.content == again.content
    traversal = invites.upline(buyer, 3)
    assert first.json() == {"user_id": buyer, "depth": 3, "upline": traversal}
    assert traversal == [{"tier": 1, "user_id": names[3]}, {"tier": 2, "user_id": names[2]},
                         {"tier": 3, "user_id": names[1]}]
    assert shallow.json() == {"user_id": buyer, "depth": 2, "upline": traversal[:2]}
    assert first.headers["content-type"] == "application/json"


def test_an_erasure_told_from_another_process_clears_the_cache(client, ids):
    cache = invites.cached_uplines()
    top, middle, buyer = ids("top"), ids("middle"), ids("buyer")
    registered_chain(client, [top, middle, buyer])
    wait_for(cache.fresh, "the watcher confirming the epoch")
    before = client.get(f"/v1/users/{buyer}/upline", headers=MALL).json()["upline"]
    assert before == [{"tier": 1, "user_id": middle}, {"tier": 2, "user_id": top}]

    db.write_query("testing.erase_user", user_id=middle)  # the graph changes, untold
    assert cache.get(buyer) == (middle, top)
    assert client.get(f"/v1/users/{buyer}/upline", headers=MALL).json()["upline"] == before

    told = subprocess.run(
        [sys.executable, "-c", "from graph.users import invites; invites.forget_uplines()"],
        cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=120)
    assert told.returncode == 0, told.stderr
    wait_for(lambda: cache.get(buyer) is None, "the other process's message")
    after = client.get(f"/v1/users/{buyer}/upline", headers=MALL)
    assert after.json() == {"user_id": buyer, "depth": 3, "upline": []}
    assert client.get(f"/v1/users/{middle}/upline", headers=MALL).status_code == 404


def test_a_user_not_found_is_found_once_registered(client, ids):
    cache = invites.cached_uplines()
    inviter, late = ids("inviter"), ids("late")
    registered_chain(client, [inviter])
    wait_for(cache.fresh, "the watcher confirming the epoch")
    assert client.get(f"/v1/users/{late}/upline", headers=MALL).status_code == 404
    assert cache.get(late) is None
    registered = client.post("/v1/users", headers=MALL,
                             json={"user_id": late, "invited_by": inviter,
                                   "at": "2026-03-01T10:00:00+08:00"})
    assert registered.status_code == 201, registered.text
    found = client.get(f"/v1/users/{late}/upline", headers=MALL)
    assert found.status_code == 200
    assert found.json()["upline"] == [{"tier": 1, "user_id": inviter}]


def test_neo4j_down_answers_503_on_the_async_path(services, ids, monkeypatch):
    """The route's own event loop with its async driver aimed where nothing listens."""
    from api.main import app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    monkeypatch.setenv("TIERGRAPH_NEO4J_URI", f"bolt://127.0.0.1:{dead}")
    get_settings.cache_clear()

    async def ask() -> httpx.Response:
        await db.open_async_driver()
        try:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                         base_url="http://tiergraph") as caller:
                return await caller.get(f"/v1/users/{ids('anyone')}/upline", headers=MALL)
        finally:
            await db.close_async_driver()

    try:
        answer = asyncio.run(ask())
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"].endswith("/database-unavailable")
    assert int(answer.headers["retry-after"]) > 0


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_cache_keeps_only_fills_begun_after_the_last_clear():
    cache = invites.UplineCache(Clock())
    cache.confirm(1)
    ticket = cache.ticket()
    cache.clear()  # an erasure while the traversal was under way
    cache.put("u", ("a",), ticket, limit=10)
    assert cache.get("u") is None
    cache.put("u", ("a",), cache.ticket(), limit=10)
    assert cache.get("u") == ("a",)
    cache.confirm(1)  # the same epoch: kept
    assert cache.get("u") == ("a",)
    cache.confirm(2)  # a new epoch: dropped
    assert cache.get("u") is None


def test_the_cache_answers_only_while_its_epoch_is_fresh_and_keeps_the_most_recent():
    clock = Clock()
    cache = invites.UplineCache(clock)
    cache.put("u", ("a",), cache.ticket(), limit=10)
    assert len(cache) == 0  # never confirmed: nothing kept
    cache.confirm(0)
    for user in ("u1", "u2", "u3"):
        cache.put(user, (user + "-inviter",), cache.ticket(), limit=2)
    assert cache.get("u1") is None and cache.get("u3") == ("u3-inviter",)
    assert cache.get("u2") == ("u2-inviter",)
    cache.put("u4", (), cache.ticket(), limit=2)  # u3 is now the least recently used
    assert cache.get("u3") is None and cache.get("u2") == ("u2-inviter",)
    cache.put("u5", (), cache.ticket(), limit=0)
    assert cache.get("u5") is None
    clock.now += invites.STALE_SECONDS  # no word from Redis since
    assert not cache.fresh() and cache.get("u2") is None
    cache.confirm(0)
    assert cache.get("u2") == ("u2-inviter",)
    cache.unconfirm()
    assert cache.get("u2") is None
