"""Webhooks end to end: endpoints registered through the API, deliveries written with the
change and sent by the real Celery worker to a receiver on 127.0.0.1 (the test stack sets
TIERGRAPH_WEBHOOK_ALLOW_PRIVATE=true for the worker: tests/conftest.py), which checks every
signature. URL checks, signatures and the backoff are also tested as pure logic."""

import hashlib
import hmac
import json
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from graph import db
from graph.risk import holds
from graph.settings import get_settings
from graph.webhooks import delivery, outbox, urls
from tests.conftest import auth
from tests.factories import make_chain, make_order

MALL, ADMIN, RISK = auth("mall"), auth("admin"), auth("risk")
SECRET = "whsec-test-0123456789abcdef"
WAIT_SECONDS = 60.0  # the longest a test waits for the worker (it polls, it times nothing)


class Receiver:
    """A mall's webhook endpoint on 127.0.0.1: answers each POST with the next status of
    `answers` (200 once they run out) and keeps what it got, with whether the signature
    verified against `secret`."""

    def __init__(self, secret: str = SECRET, answers: tuple[int, ...] = ()) -> None:
        self.secret, self.answers = secret, list(answers)
        self.got: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    status = receiver.answers.pop(0) if receiver.answers else 200
                    receiver.got.append({
                        "body": json.loads(body), "status": status,
                        "signature": self.headers.get("Tiergraph-Signature", ""),
                        "verified": verify(receiver.secret,
                                           self.headers.get("Tiergraph-Signature", ""), body)})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/tiergraph"

    def posts(self, event_type: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            return [g for g in self.got if event_type in (None, g["body"]["type"])]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def verify(secret: str, header: str, body: bytes) -> bool:
    """What a mall does with Tiergraph-Signature (README.md's check, without its time
    tolerance)."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    if "t" not in fields or "v1" not in fields:
        return False
    expected = hmac.new(secret.encode(), f"{fields['t']}.".encode() + body,
                        hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


def wait_until(check: Callable[[], Any], what: str) -> Any:
    """Poll `check` until it answers something true; fail saying `what` never happened."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {WAIT_SECONDS:.0f} s")


def stored(webhook_id: str) -> list[dict[str, Any]]:
    """Every delivery written for an endpoint (deleted or not), bodies parsed."""
    return [{**d, "body": json.loads(d["body"])}
            for d in db.read_query("testing.webhook_deliveries", webhook_id=webhook_id)]


def deliveries(client: Any, webhook_id: str, **params: Any) -> list[dict[str, Any]]:
    """Every delivery of an endpoint through the API, page by page."""
    items, cursor = [], None
    while True:
        answer = client.get(f"/v1/webhooks/{webhook_id}/deliveries", headers=ADMIN,
                            params={**params, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200, answer.text
        items += answer.json()["items"]
        cursor = answer.json()["next_cursor"]
        if cursor is None:
            return items


@pytest.fixture
def receivers() -> Iterator[Callable[..., Receiver]]:
    made: list[Receiver] = []

    def make(**kwargs: Any) -> Receiver:
        made.append(Receiver(**kwargs))
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()


@pytest.fixture
def hooks(client: Any) -> Iterator[Callable[..., dict[str, Any]]]:
    """Register endpoints for one test; deleted at its end, so other tests' changes are not
    delivered to receivers that are gone."""
    made: list[str] = []

    def register(webhook_id: str, url: str, events: list[str],
                 secret: str = SECRET) -> dict[str, Any]:
        answer = client.post("/v1/webhooks", headers=ADMIN, json={
            "id": webhook_id, "url": url, "events": events, "secret": secret})
        assert answer.status_code == 201, answer.text
        made.append(webhook_id)
        return answer.json()

    yield register
    for webhook_id in made:
        client.delete(f"/v1/webhooks/{webhook_id}", headers=ADMIN)


def credited_user(client: Any, ids: Callable[[str], str], cents: int, name: str = "u") -> str:
    """A new user whose available cash is `cents`, credited by an admin's adjustment."""
    user = ids(name)
    assert client.post("/v1/users", headers=MALL, json={
        "user_id": user, "at": "2026-03-01T10:00:00+08:00"}).status_code == 201
    answer = client.post(f"/v1/users/{user}/adjustments", headers=ADMIN, json={
        "adjustment_id": ids(f"{name}-credit"), "amount_cents": cents,
        "reason": "goodwill credit"})
    assert answer.status_code == 201, answer.text
    return user


def withdraw(client: Any, withdrawal_id: str, user_id: str, cents: int) -> dict[str, Any]:
    answer = client.post("/v1/withdrawals", headers=MALL, json={
        "withdrawal_id": withdrawal_id, "user_id": user_id, "amount_cents": cents})
    assert answer.status_code == 201, answer.text
    return answer.json()


def attempts_of(client: Any, webhook_id: str, delivery_id: str) -> list[dict[str, Any]]:
    [found] = [d for d in deliveries(client, webhook_id) if d["id"] == delivery_id]
    for attempt in found["attempts"]:
        assert not (attempt["error"] or "").startswith("refused"), (
            "the worker refuses 127.0.0.1: it must run with TIERGRAPH_WEBHOOK_ALLOW_PRIVATE=true"
            f" ({attempt['error']})")
    return found["attempts"]


# --- through the real stack ----------------------------------------------------------------


def test_a_completed_withdrawal_is_posted_once_signed_and_logged(client, ids, hooks,
                                                                 receivers):
    mall = receivers()
    shown = hooks(ids("hook"), mall.url, ["withdrawal.completed", "withdrawal.rejected"])
    assert shown == {"id": ids("hook"), "url": mall.url,
                     "events": ["withdrawal.completed", "withdrawal.rejected"],
                     "created_at": shown["created_at"]}
    user = credited_user(client, ids, 10_000)
    assert withdraw(client, ids("w"), user, 4000)["status"] == "completed"

    [post] = wait_until(lambda: [p for p in mall.posts("withdrawal.completed")
                                 if p["body"]["data"]["withdrawal_id"] == ids("w")],
                        "the withdrawal.completed delivery")
    assert post["verified"], post["signature"]
    body = post["body"]
    assert set(body) == {"id", "type", "created_at", "data"}
    assert body["id"].startswith("whd_") and datetime.fromisoformat(body["created_at"])
    assert body["data"] == {"withdrawal_id": ids("w"), "user_id": user, "amount_cents": 4000,
                            "status": "completed", "reason": None, "note": None}
    timestamp = int(dict(p.split("=", 1) for p in post["signature"].split(","))["t"])
    assert abs(timestamp - time.time()) < 600  # a unix time in seconds, not milliseconds

    logged = wait_until(lambda: [d for d in deliveries(client, ids("hook"))
                                 if d["id"] == body["id"] and d["status"] == "delivered"],
                        "the delivery logged as delivered")
    [attempt] = logged[0]["attempts"]
    assert (attempt["attempt"], attempt["status_code"], attempt["error"],
            attempt["next_retry_at"]) == (1, 200, None, None)
    assert attempt["duration_ms"] >= 0 and datetime.fromisoformat(attempt["at"])
    # a replayed request changes nothing and tells nothing again
    assert client.post("/v1/withdrawals", headers=MALL, json={
        "withdrawal_id": ids("w"), "user_id": user, "amount_cents": 4000}).status_code == 200
    assert [d["body"]["data"]["withdrawal_id"] for d in stored(ids("hook"))] == [ids("w")]


def test_a_failed_attempt_is_retried_with_the_same_delivery_id(client, ids, hooks, receivers):
    mall = receivers(answers=(500,))
    hooks(ids("hook"), mall.url, ["withdrawal.completed"])
    user = credited_user(client, ids, 10_000)
    withdraw(client, ids("w"), user, 1000)

    posts = wait_until(lambda: len(mall.posts()) >= 2 and mall.posts(),
                       "a second attempt after the receiver's 500")
    assert [p["status"] for p in posts] == [500, 200]
    assert posts[0]["body"] == posts[1]["body"]  # same id, same bytes: the mall drops repeats
    assert all(p["verified"] for p in posts)
    delivery_id = posts[0]["body"]["id"]
    attempts = wait_until(lambda: [a for a in attempts_of(client, ids("hook"), delivery_id)
                                   if a["status_code"] == 200] and
                          attempts_of(client, ids("hook"), delivery_id),
                          "the second attempt logged")
    assert [(a["attempt"], a["status_code"]) for a in attempts] == [(1, 500), (2, 200)]
    assert attempts[0]["next_retry_at"] is not None and attempts[1]["next_retry_at"] is None
    assert datetime.fromisoformat(attempts[0]["next_retry_at"]) > datetime.fromisoformat(
        attempts[0]["at"])
    [logged] = deliveries(client, ids("hook"), status="delivered")
    assert logged["id"] == delivery_id and logged["next_retry_at"] is None
    assert deliveries(client, ids("hook"), status="pending") == []


def test_a_rebate_change_is_told_once_however_often_settlement_runs(client, ids, hooks,
                                                                    receivers):
    mall = receivers()
    hooks(ids("hook"), mall.url, ["rebate.status_changed"])
    a, b, buyer = ids("a"), ids("b"), ids("buyer")
    events = make_chain([a, b, buyer]) + [
        make_order(ids("o"), buyer, [("home", 10_000)], at="2025-07-02T10:00:00+08:00"),
        {"type": "order_completed", "order_id": ids("o"), "at": "2025-07-03T10:00:00+08:00"}]
    assert client.post("/v1/events", headers=MALL, json=events).json()["accepted"] == 5
    rebates = client.post(f"/v1/orders/{ids('o')}/payouts", headers=MALL).json()["rebates"]
    mine = {r["rebate_id"]: r for r in rebates}
    assert len(mine) == 2

    for _ in range(2):  # the second run, a replay, moves nothing and tells nothing
        answer = client.post("/v1/settlement/run", headers=ADMIN,
                             json={"as_of": "2025-07-10T00:00:00Z"})
        assert answer.status_code == 200, answer.text

    # written with the changes: final once the runs have answered
    told = sorted((d["body"]["data"]["rebate_id"], d["body"]["data"]["previous_status"],
                   d["body"]["data"]["status"])
                  for d in stored(ids("hook")) if d["body"]["data"]["rebate_id"] in mine)
    assert told == sorted((rebate_id, before, after) for rebate_id in mine
                          for before, after in (("pending", "confirmed"),
                                                ("confirmed", "payable"),
                                                ("payable", "credited")))

    def received() -> list[dict[str, Any]]:
        return [p for p in mall.posts("rebate.status_changed")
                if p["body"]["data"]["rebate_id"] in mine]

    wait_until(lambda: len(received()) >= 6, "six rebate deliveries")
    assert all(p["verified"] for p in received())
    assert len({p["body"]["id"] for p in received()}) == 6  # one delivery per change
    credited = [p["body"]["data"] for p in received() if p["body"]["data"]["status"] == "credited"]
    assert sorted((d["beneficiary"], d["tier"], d["kind"], d["amount_cents"], d["order_id"])
                  for d in credited) == [(a, 2, "cash", 500, ids("o")), (b, 1, "cash", 1000,
                                                                          ids("o"))]


def test_a_rejected_withdrawal_is_told(client, ids, hooks, receivers):
    mall = receivers()
    hooks(ids("hook"), mall.url, ["withdrawal.rejected"])
    user = credited_user(client, ids, 200_000)
    assert withdraw(client, ids("w"), user, 150_000)["status"] == "pending_review"
    answer = client.post(f"/v1/withdrawals/{ids('w')}/reject", headers=ADMIN,
                         json={"note": "account under KYC review"})
    assert answer.status_code == 200, answer.text
    [post] = wait_until(lambda: [p for p in mall.posts("withdrawal.rejected")
                                 if p["body"]["data"]["withdrawal_id"] == ids("w")],
                        "the withdrawal.rejected delivery")
    assert post["verified"]
    assert post["body"]["data"] == {"withdrawal_id": ids("w"), "user_id": user,
                                    "amount_cents": 150_000, "status": "rejected",
                                    "reason": "review_rejected",
                                    "note": "account under KYC review"}


def plant_ring(ring_id: str, members: list[str]) -> None:
    """Store an open ring as a detection run does, and hold what its members' orders earned."""
    db.write_query("risk.store_rings", run={"id": uuid.uuid4().hex,
                                            "at": datetime.now(UTC).isoformat()},
                   rings=[{"ring_id": ring_id, "score": 0.95, "size": len(members),
                           "reasons": ["shared_device"], "features": "{}",
                           "members": sorted(members)}])
    holds.hold_ring(ring_id, sorted(members))


@pytest.mark.parametrize(("decision", "status", "voided", "after"), [
    ("confirm", "confirmed", 1000, ("held", "void", "ring_confirmed")),
    ("dismiss", "dismissed", 0, ("held", "pending", None))])
def test_a_ring_decision_and_the_rebates_it_moves_are_told(client, ids, hooks, receivers,
                                                           decision, status, voided, after):
    mall = receivers()
    hooks(ids("hook"), mall.url, ["ring.decided", "rebate.status_changed"])
    inviter, buyer = ids("inviter"), ids("buyer")
    assert client.post("/v1/events", headers=MALL, json=make_chain([inviter, buyer]) + [
        make_order(ids("o"), buyer, [("home", 10_000)])]).json()["accepted"] == 3
    [rebate] = client.post(f"/v1/orders/{ids('o')}/payouts", headers=MALL).json()["rebates"]
    plant_ring(ids("ring"), [inviter, buyer])
    answer = client.post(f"/v1/risk/rings/{ids('ring')}/decision", headers=RISK,
                         json={"decision": decision, "note": "one device"})
    assert answer.status_code == 200, answer.text

    [decided] = wait_until(lambda: [p for p in mall.posts("ring.decided")
                                    if p["body"]["data"]["ring_id"] == ids("ring")],
                           "the ring.decided delivery")
    assert decided["verified"]
    assert decided["body"]["data"] == {
        "ring_id": ids("ring"), "decision": decision, "status": status,
        "note": "one device", "members": sorted([inviter, buyer]), "rebates_changed": 1,
        "voided_cents": voided, "clawed_back_cents": 0, "debt_cents": 0}
    changes = wait_until(lambda: len([p for p in mall.posts("rebate.status_changed")
                                      if p["body"]["data"]["rebate_id"] == rebate["rebate_id"]])
                         >= 2 and [p["body"]["data"] for p in mall.posts("rebate.status_changed")
                                   if p["body"]["data"]["rebate_id"] == rebate["rebate_id"]],
                         "the hold of the ring's rebate and its end")
    assert sorted((c["previous_status"], c["status"], c["reason"]) for c in changes) == [
        after, ("pending", "held", "risk_hold")]


def test_deleting_an_endpoint_stops_its_deliveries(client, ids, hooks, receivers):
    failing, other = receivers(answers=(500,) * 1000), receivers()
    hooks(ids("gone"), failing.url, ["withdrawal.completed"])
    hooks(ids("kept"), other.url, ["withdrawal.completed"])
    user = credited_user(client, ids, 10_000)
    withdraw(client, ids("w1"), user, 1000)
    wait_until(lambda: failing.posts(), "a first (failing) attempt")
    wait_until(lambda: other.posts(), "the other endpoint's delivery")

    assert client.delete(f"/v1/webhooks/{ids('gone')}", headers=ADMIN).status_code == 204
    assert client.delete(f"/v1/webhooks/{ids('gone')}", headers=ADMIN).status_code == 404
    assert client.get(f"/v1/webhooks/{ids('gone')}/deliveries",
                      headers=ADMIN).status_code == 404
    [cancelled] = stored(ids("gone"))
    assert cancelled["state"] == "cancelled"

    withdraw(client, ids("w2"), user, 1000)
    wait_until(lambda: [p for p in other.posts()
                        if p["body"]["data"]["withdrawal_id"] == ids("w2")],
               "the kept endpoint's second delivery")
    assert [d["id"] for d in stored(ids("gone"))] == [cancelled["id"]]  # nothing new written
    assert {p["body"]["id"] for p in failing.posts()} == {cancelled["id"]}


def test_registering_again_is_idempotent_and_another_body_conflicts(client, ids, hooks):
    url = "http://127.0.0.1:9/hook"
    first = hooks(ids("hook"), url, ["withdrawal.completed", "ring.decided"])
    again = client.post("/v1/webhooks", headers=ADMIN, json={
        "id": ids("hook"), "url": url, "events": ["ring.decided", "withdrawal.completed"],
        "secret": SECRET})
    assert again.status_code == 200 and again.json() == first
    for change in ({"url": "http://127.0.0.1:10/hook"}, {"events": ["ring.decided"]},
                   {"secret": SECRET + "-other"}):
        answer = client.post("/v1/webhooks", headers=ADMIN, json={
            "id": ids("hook"), "url": url, "events": ["withdrawal.completed", "ring.decided"],
            "secret": SECRET, **change})
        assert answer.status_code == 409, change
        assert answer.headers["content-type"] == "application/problem+json"


def test_the_list_pages_and_never_shows_a_secret(client, ids, hooks):
    for n in range(3):
        hooks(ids(f"hook{n}"), f"http://127.0.0.1:9/{n}", ["ring.decided"])
    seen, cursor = [], None
    while True:
        answer = client.get("/v1/webhooks", headers=ADMIN,
                            params={"limit": 2, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200 and SECRET not in answer.text
        assert len(answer.json()["items"]) <= 2
        seen += [item["id"] for item in answer.json()["items"]]
        cursor = answer.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    assert {ids(f"hook{n}") for n in range(3)} <= set(seen)
    assert client.get("/v1/webhooks", headers=MALL).status_code == 403
    assert client.get("/v1/webhooks", headers=ADMIN,
                      params={"cursor": "not-a-cursor"}).status_code == 422


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8000/hook", "http://localhost/hook", "http://10.1.2.3/hook",
    "http://192.168.0.10/hook", "http://169.254.169.254/latest/meta-data",
    "http://[::1]/hook", "http://[::ffff:127.0.0.1]/hook", "http://100.64.0.1/hook",
    "http://0.0.0.0/hook"])
def test_a_url_into_a_non_public_range_is_refused_without_the_setting(client, ids, url,
                                                                      monkeypatch):
    monkeypatch.setenv("TIERGRAPH_WEBHOOK_ALLOW_PRIVATE", "false")
    get_settings.cache_clear()
    try:
        answer = client.post("/v1/webhooks", headers=ADMIN, json={
            "id": ids("hook"), "url": url, "events": ["ring.decided"], "secret": SECRET})
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["type"].endswith("webhook-url-refused")
        assert "TIERGRAPH_WEBHOOK_ALLOW_PRIVATE" in answer.json()["detail"]
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert ids("hook") not in [i["id"] for i in client.get(
        "/v1/webhooks", headers=ADMIN, params={"limit": 1000}).json()["items"]]


@pytest.mark.parametrize("body", [
    {"url": "ftp://127.0.0.1/hook"}, {"url": "file:///etc/passwd"},
    {"url": "http://user:pw@127.0.0.1/hook"}, {"url": "http:///nohost"},
    {"url": "http://127.0.0.1:99999/hook"}, {"url": "http://no-such-host.invalid/hook"},
    {"events": []}, {"events": ["order.paid"]}, {"secret": "short"}, {"id": "bad id"},
    {"extra": 1}])
def test_bad_registrations_are_422_and_store_nothing(client, ids, body):
    answer = client.post("/v1/webhooks", headers=ADMIN, json={
        "id": ids("hook"), "url": "http://127.0.0.1:9/hook", "events": ["ring.decided"],
        "secret": SECRET, **body})
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert client.get(f"/v1/webhooks/{ids('hook')}/deliveries",
                      headers=ADMIN).status_code == 404


def test_only_admin_manages_webhooks(client):
    for role in ("mall", "risk", "compliance"):
        assert client.post("/v1/webhooks", headers=auth(role), json={}).status_code == 403
        assert client.delete("/v1/webhooks/x", headers=auth(role)).status_code == 403
    assert client.get("/v1/webhooks").status_code == 401


# --- pure logic ----------------------------------------------------------------------------


def resolving_to(*addresses: str) -> Callable[..., list[tuple[Any, ...]]]:
    """A resolver answering `addresses` for any name (what a DNS answer may become)."""
    def resolve(host: str, port: int, **_: Any) -> list[tuple[Any, ...]]:
        family = socket.AF_INET6 if ":" in addresses[0] else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]
    return resolve


def test_a_public_name_is_pinned_to_the_address_that_was_checked():
    target = urls.check("https://mall.example:8443/hooks?v=1", allow_private=False,
                        resolve=resolving_to("93.184.216.34"))
    assert (target.pinned_url, target.host, target.host_header) == (
        "https://93.184.216.34:8443/hooks?v=1", "mall.example", "mall.example:8443")


@pytest.mark.parametrize("addresses", [("10.0.0.8",), ("93.184.216.34", "127.0.0.1"),
                                       ("fd00::1",), ("fe80::1",), ("224.0.0.1",)])
def test_a_name_that_now_resolves_inside_is_refused(addresses):
    # the same check runs before every attempt: DNS re-pointed after registration is refused
    with pytest.raises(urls.UrlRefused, match="outside the public address ranges"):
        urls.check("https://mall.example/hooks", allow_private=False,
                   resolve=resolving_to(*addresses))
    assert urls.check("https://mall.example/hooks", allow_private=True,
                      resolve=resolving_to(*addresses)).address == addresses[0]


def test_an_attempt_to_a_refused_address_is_logged_as_an_error_not_sent():
    attempt = delivery.post("http://127.0.0.1:9/hook", b"{}", SECRET, allow_private=False,
                            timeout=1)
    assert attempt.status_code is None and attempt.error.startswith("refused:")
    assert not attempt.delivered


def test_the_signature_is_the_hmac_of_time_dot_body():
    body = b'{"id":"whd_1"}'
    header = delivery.sign("s3cret-s3cret-s3cret", 1767225600, body)
    assert header == "t=1767225600,v1=" + hmac.new(
        b"s3cret-s3cret-s3cret", b'1767225600.{"id":"whd_1"}', hashlib.sha256).hexdigest()
    assert verify("s3cret-s3cret-s3cret", header, body)
    assert not verify("s3cret-s3cret-s3cret", header, body + b" ")


def test_retries_back_off_exponentially_for_24_hours_then_fail():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    expires = start + timedelta(hours=24)
    failed = delivery.Attempt(500, None, 3)
    steps, now, attempt = [], start, 1
    while True:
        state, next_at = delivery.next_step(attempt, failed, now, expires, 30)
        steps.append((attempt, state, next_at - now if next_at else None))
        if next_at is None:
            break
        now, attempt = next_at, attempt + 1
    waits = [wait for _, _, wait in steps if wait is not None]
    assert waits[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert max(waits) == timedelta(hours=1)
    assert steps[-1][1] == "failed" and now == expires  # the last try falls at the 24th hour
    assert delivery.next_step(3, delivery.Attempt(204, None, 3), now, expires, 30) == (
        "delivered", None)


def test_the_readme_check_accepts_a_signature_and_refuses_a_changed_body():
    text = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    [snippet] = [block for block in re.findall(r"```python\n(.*?)```", text, re.S)
                 if "def verified" in block]
    scope: dict[str, Any] = {}
    exec(snippet, scope)  # the README's own code, as a mall would paste it
    body = b'{"id":"whd_1","type":"ring.decided"}'
    header = delivery.sign(SECRET, int(time.time()), body)
    assert scope["verified"](SECRET, header, body)
    assert not scope["verified"](SECRET, header, body.replace(b"ring", b"rung"))
    assert not scope["verified"](SECRET + "x", header, body)
    assert not scope["verified"](SECRET, delivery.sign(SECRET, int(time.time()) - 3600, body),
                                 body)  # an old signature: a replayed request


def test_refunds_tell_the_lowered_amount_and_the_void(client, ids, hooks, receivers):
    mall = receivers()
    hooks(ids("hook"), mall.url, ["rebate.status_changed"])
    inviter, buyer = ids("inviter"), ids("buyer")
    assert client.post("/v1/events", headers=MALL, json=make_chain([inviter, buyer]) + [
        make_order(ids("o"), buyer, [("home", 10_000)])]).json()["accepted"] == 3
    [rebate] = client.post(f"/v1/orders/{ids('o')}/payouts", headers=MALL).json()["rebates"]
    for refund_id, cents in (("r1", 4000), ("r2", 6000)):
        assert client.post("/v1/events", headers=MALL, json=[{
            "type": "order_refunded", "order_id": ids("o"), "refund_id": ids(refund_id),
            "amount_cents": cents, "at": "2026-03-05T10:00:00+08:00"}]).json()["accepted"] == 1

    def told() -> list[dict[str, Any]]:
        return [p["body"]["data"] for p in mall.posts("rebate.status_changed")
                if p["body"]["data"]["rebate_id"] == rebate["rebate_id"]]

    wait_until(lambda: len(told()) >= 2, "the two refunds' deliveries")
    assert sorted((d["previous_status"], d["status"], d["reason"], d["amount_cents"])
                  for d in told()) == [("pending", "pending", "partial_refund", 600),
                                       ("pending", "void", "order_refunded", 0)]


def test_a_change_that_rolls_back_tells_nothing(client, ids, hooks):
    hooks(ids("hook"), "http://127.0.0.1:9/hook", ["ring.decided"])

    def change_then_fail(tx: Any) -> None:
        assert outbox.emit(tx, outbox.RING_DECIDED, [{"ring_id": ids("ring")}]) == 1
        raise RuntimeError("the change fails after its outbox write")

    with pytest.raises(RuntimeError):
        db.write(change_then_fail)
    assert stored(ids("hook")) == []
    assert db.write(lambda tx: outbox.emit(tx, outbox.RING_DECIDED,
                                           [{"ring_id": ids("ring")}])) == 1
    [written] = stored(ids("hook"))
    assert written["body"]["data"] == {"ring_id": ids("ring")}
    assert written["body"]["type"] == "ring.decided" and written["state"] == "pending"


def test_done_deliveries_are_pruned_after_30_days_and_pending_ones_kept(client, ids, hooks):
    hooks(ids("gone"), "http://127.0.0.1:9/hook", ["ring.decided"])
    old = datetime.now(UTC) - timedelta(days=40)
    db.write(lambda tx: outbox.emit(tx, outbox.RING_DECIDED, [{"ring_id": ids("old")}], old))
    db.write(lambda tx: outbox.emit(tx, outbox.RING_DECIDED, [{"ring_id": ids("new")}]))
    assert client.delete(f"/v1/webhooks/{ids('gone')}", headers=ADMIN).status_code == 204
    assert {d["state"] for d in stored(ids("gone"))} == {"cancelled"}
    assert delivery.prune(keep_days=30) >= 1
    assert [d["body"]["data"]["ring_id"] for d in stored(ids("gone"))] == [ids("new")]
    # a delivery still being retried (port 9 refuses, for 24 hours) stays whatever its age
    hooks(ids("kept"), "http://127.0.0.1:9/hook", ["ring.decided"])
    db.write(lambda tx: outbox.emit(tx, outbox.RING_DECIDED, [{"ring_id": ids("new")}]))
    delivery.prune(keep_days=0)
    assert stored(ids("gone")) == []
    assert [d["state"] for d in stored(ids("kept"))] == ["pending"]
