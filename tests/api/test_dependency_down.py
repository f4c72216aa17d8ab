"""Redis stopped under a running API (the local stack), or an API whose task queue does not
answer: every route answers, either as usual (what needs no Redis) or with a 503 problem and
Retry-After, and nothing is left behind that blocks the service once Redis is back."""

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from graph import jobs, redis_clients
from graph.settings import get_settings
from infra import stack
from tests.api.live import free_port, running_api
from tests.api.test_risk import _wait_for_job
from tests.conftest import NOT_LOCAL, auth
from tests.factories import make_chain, make_order

pytestmark = pytest.mark.skipif(NOT_LOCAL, reason="stops and starts the local stack's Redis")
MALL, ADMIN, RISK = auth("mall"), auth("admin"), auth("risk")


class RedisSwitch:
    """Stops and starts the stack's Redis (the task queue, jobs, locks and rate limits)."""

    def __init__(self) -> None:
        self.settings = get_settings()
        self.paths = stack.Paths(self.settings.data_dir)

    def stop(self) -> None:
        assert stack.stop_service(self.paths, "redis")
        assert not redis_clients.answers(redis_clients.app())

    def start(self) -> None:
        stack.up(self.settings, ("redis",), say=lambda _: None)
        deadline = time.monotonic() + 60
        while not redis_clients.answers(redis_clients.app()):
            assert time.monotonic() < deadline, "Redis did not come back"
            time.sleep(0.2)


@pytest.fixture
def redis_switch(services: None) -> Iterator[RedisSwitch]:
    """Redis, stoppable; started again at the latest when the test ends."""
    switch = RedisSwitch()
    yield switch
    switch.start()


def assert_redis_down(answer: Any) -> dict[str, Any]:
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert int(answer.headers["retry-after"]) > 0
    body = answer.json()
    assert body["status"] == 503 and body["detail"]
    return body


def current_job_id() -> str | None:
    raw = redis_clients.app().get("tiergraph:job-current:risk.detect")
    return raw.decode() if raw else None


def test_with_redis_down_every_route_answers_and_none_is_a_500(client, ids, redis_switch):
    buyer = ids("b")
    client.post("/v1/events", headers=MALL, json=make_chain([ids("a"), buyer]))
    redis_switch.stop()
    calls = [
        ("POST", "/v1/risk/detect", RISK, {}),
        ("GET", "/v1/jobs/0123456789abcdef", RISK, None),
        ("POST", "/v1/withdrawals", MALL, {"withdrawal_id": ids("w"), "user_id": ids("a"),
                                          "amount_cents": 1000}),
        ("POST", "/v1/events", MALL, [make_order(ids("o"), buyer)]),
        ("POST", f"/v1/orders/{ids('o')}/payouts", MALL, None),
        ("GET", f"/v1/users/{buyer}/upline", MALL, None),
        ("GET", f"/v1/users/{ids('a')}/balance", MALL, None),
        ("GET", "/v1/risk/rings", RISK, None),
        ("GET", "/v1/rules", ADMIN, None),
        ("GET", "/readyz", {}, None),
        ("GET", "/healthz", {}, None),
    ]
    answers = {path: client.request(method, path, headers=role, json=body)
               for method, path, role, body in calls}
    assert {p: a.status_code for p, a in answers.items() if a.status_code >= 500} == {
        "/v1/risk/detect": 503, "/v1/jobs/0123456789abcdef": 503, "/readyz": 503}
    for path in ("/v1/risk/detect", "/v1/jobs/0123456789abcdef"):
        assert_redis_down(answers[path])
    assert answers["/v1/withdrawals"].status_code == 422  # no cash: refused before the gateway
    # the mall's orders still land (the sweep or a payouts call computes their rebates)
    assert answers["/v1/events"].json()["accepted"] == 1
    payouts = answers[f"/v1/orders/{ids('o')}/payouts"]
    assert payouts.status_code == 200 and len(payouts.json()["rebates"]) == 1
    redis_switch.start()
    assert client.get(f"/v1/withdrawals/{ids('w')}", headers=MALL).status_code == 404


def test_a_detection_queued_while_redis_went_down_blocks_no_later_run(client, redis_switch,
                                                                      monkeypatch):
    before = current_job_id()
    saved: list[str] = []
    new = jobs._new

    def saved_then_redis_stops(kind: str, params: dict[str, Any]) -> dict[str, Any]:
        job = new(kind, params)  # the job is stored as queued; then Redis goes away
        saved.append(job["job_id"])
        redis_switch.stop()
        return job

    monkeypatch.setattr(jobs, "_new", saved_then_redis_stops)
    assert_redis_down(client.post("/v1/risk/detect", headers=RISK))
    monkeypatch.undo()
    redis_switch.start()

    assert current_job_id() == before  # the job that was never sent is not the current one
    answer = client.post("/v1/risk/detect", headers=RISK)
    assert answer.status_code == 202, answer.text
    assert answer.json()["job_id"] not in saved
    assert _wait_for_job(client, answer.json()["job_id"])["status"] == "succeeded"


def jobs_since(kind: str, since: datetime) -> list[dict[str, Any]]:
    """The stored jobs of `kind` created at `since` or later."""
    found = []
    for key in redis_clients.app().scan_iter("tiergraph:job:*"):
        job = jobs.get(key.decode().rpartition(":")[2])
        if job and job["kind"] == kind and datetime.fromisoformat(job["created_at"]) >= since:
            found.append(job)
    return found


def test_a_detection_that_cannot_be_queued_is_failed_and_answered_503(client):
    before = current_job_id()
    since = datetime.now(UTC)
    # An API whose task queue is a Redis where nothing listens; its jobs' Redis answers.
    with running_api({"TIERGRAPH_BROKER_URL": f"redis://127.0.0.1:{free_port()}/0"}) as api:
        answer = httpx.post(f"{api.url}/v1/risk/detect", headers=RISK, timeout=60)

    body = assert_redis_down(answer)
    assert body["type"].endswith("/queue-unavailable")
    [failed] = jobs_since("risk.detect", since)
    assert failed["status"] == "failed"
    assert failed["error"] == "could not be queued: the task queue is unavailable; nothing was " \
                              "queued, retry"
    assert current_job_id() == before
    answer = client.post("/v1/risk/detect", headers=RISK)  # the tests' API: its queue answers
    assert answer.status_code == 202, answer.text
    assert _wait_for_job(client, answer.json()["job_id"])["status"] == "succeeded"
