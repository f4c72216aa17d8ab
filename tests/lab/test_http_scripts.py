"""The http bench's wrk scripts (lab/bench/wrk.py) run by wrk itself against a local server
that keeps what it was sent: calls for random ids of the file, and event batches that
tiergraph's validation accepts, every event new; and the peer's pure parts."""

import json
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from graph.ingest.events import OrderPaid, Session, parse_event
from lab.bench import http_money, http_peer, wrk

pytestmark = pytest.mark.skipif(shutil.which("wrk") is None,
                                reason="wrk is not installed (apt-get install wrk)")


@contextmanager
def keeper(accepted: int | None = None) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A local HTTP server answering 200 to everything, keeping each request's method,
    path, key and body; with `accepted`, its answer says that many events were accepted."""
    seen: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            seen.append({"method": self.command, "path": self.path,
                         "auth": self.headers.get("authorization"),
                         "body": self.rfile.read(length)})
            body = json.dumps({"accepted": accepted, "duplicates": 0, "rejected": []}
                              if accepted is not None else {}).encode()
            try:
                self.send_response(200)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except BrokenPipeError:  # wrk stops with calls in flight
                pass

        do_GET = do_POST = _answer

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_the_ids_script_calls_the_template_for_ids_of_the_file(tmp_path):
    ids = tmp_path / "ids.txt"
    ids.write_text("o1\no2\no3\n")
    with keeper() as (url, seen):
        figures = wrk.run(url, wrk.ids_script(),
                          http_money.ids_args(ids, "k1", "/v1/orders/{id}/payouts", "POST")(),
                          2, 1, tmp_path)
    assert len(seen) >= figures["requests"] > 0  # wrk may stop with a call in flight
    assert figures["not_2xx"] == figures["bad"] == 0
    assert {s["method"] for s in seen} == {"POST"}
    assert {s["auth"] for s in seen} == {"Bearer k1"}
    assert {s["path"] for s in seen} <= {f"/v1/orders/o{n}/payouts" for n in (1, 2, 3)}
    assert {s["body"] for s in seen} == {b""}


def test_the_events_script_sends_valid_new_events_of_the_files_users(tmp_path):
    users = [f"b{n:07d}" for n in range(20)]
    file = tmp_path / "users.txt"
    file.write_text("\n".join(users) + "\n")
    args = http_money.events_args(file, "k1")
    batches = []
    for _ in range(2):  # two runs: the second's tag differs, so its events are new too
        with keeper(accepted=http_money.EVENTS_PER_CALL) as (url, seen):
            figures = wrk.run(url, wrk.events_script(), args(), 2, 1, tmp_path, "/v1/events")
        assert figures["bad"] == figures["not_2xx"] == 0
        batches += seen
    assert {(b["method"], b["path"]) for b in batches} == {("POST", "/v1/events")}
    events = [parse_event(0, raw) for b in batches for raw in json.loads(b["body"])]
    assert all(len(json.loads(b["body"])) == http_money.EVENTS_PER_CALL for b in batches)
    orders = [e for e in events if isinstance(e, OrderPaid)]
    sessions = [e for e in events if isinstance(e, Session)]
    assert len(orders) + len(sessions) == len(events)  # nothing refused
    assert len(orders) * http_money.ORDER_EVERY == len(events)
    assert {e.user_id for e in events} <= set(users)
    assert len({o.order_id for o in orders}) == len(orders)
    assert len({s.fingerprint() for s in sessions}) == len(sessions)
    assert all(o.device_id == "bd" + o.user_id[1:] for o in orders)


def test_an_answer_accepting_less_than_the_batch_counts_as_bad(tmp_path):
    file = tmp_path / "users.txt"
    file.write_text("b0000001\n")
    with keeper(accepted=http_money.EVENTS_PER_CALL - 1) as (url, seen):
        figures = wrk.run(url, wrk.events_script(), http_money.events_args(file, "k")(), 1, 1,
                          tmp_path, "/v1/events")
    assert figures["bad"] == figures["requests"] > 0


def test_the_peer_shapes_payouts_rows_as_the_route_answers():
    rows = [(True, "o1:t1:cash", "a", 1, "cash", 300, "pending", None),
            (True, "o1:t2:cash", "b", 2, "cash", 100, "held", "ring r1")]
    assert http_peer.payouts_shape("o1", rows) == {
        "order_id": "o1", "computed": True, "rebates": [
            {"rebate_id": "o1:t1:cash", "beneficiary": "a", "tier": 1, "kind": "cash",
             "amount_cents": 300, "status": "pending", "reason": None},
            {"rebate_id": "o1:t2:cash", "beneficiary": "b", "tier": 2, "kind": "cash",
             "amount_cents": 100, "status": "held", "reason": "ring r1"}]}
    no_rebates = [(True, None, None, None, None, None, None, None)]
    assert http_peer.payouts_shape("o2", no_rebates)["rebates"] == []
    assert http_peer.payouts_shape("o3", []) is None


def test_the_peer_keeps_sessions_and_orders_and_refuses_the_rest():
    at = "2026-03-01T10:00:00+08:00"
    raw = [{"type": "session", "user_id": "u1", "at": at},
           {"type": "order_completed", "order_id": "o1", "at": at},
           {"type": "session", "user_id": "u1"},
           {"type": "order_paid", "order_id": "o2", "user_id": "u1", "amount_cents": 100,
            "currency": "CNY", "items": [{"sku": "s", "amount_cents": 100}], "at": at}]
    orders, sessions, refused = http_peer.split_events(raw)
    assert [i for i, _ in orders] == [3] and [i for i, _ in sessions] == [0]
    assert [(r.index, r.reason) for r in refused] == [(1, "unsupported"), (2, "invalid_event")]
