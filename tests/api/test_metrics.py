"""GET /metrics: Prometheus text, no key, summed over the API and worker processes, off with
TIERGRAPH_METRICS=false (api/metrics.py, graph/metrics.py)."""

import time
from collections.abc import Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from graph import metrics as counts
from graph.settings import get_settings
from tests.api.live import LiveApi, needs_own_worker, running_api
from tests.conftest import auth

MALL = auth("mall")
UPLINE = "/v1/users/{user_id}/upline"
WAIT_SECONDS = 60


def samples(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Each sample of a scrape by its name, with its labels and value."""
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((dict(sample.labels), sample.value))
    return found


def value(scrape: dict[str, list[tuple[dict[str, str], float]]], name: str,
          **labels: str) -> float:
    """The sum of the samples of `name` whose labels include `labels` (0 when none)."""
    return sum(v for have, v in scrape.get(name, []) if labels.items() <= have.items())


def _users(client, ids) -> tuple[str, str]:
    inviter, buyer = ids("inviter"), ids("buyer")
    events = [{"type": "user_registered", "user_id": inviter, "at": "2026-03-01T10:00:00+08:00"},
              {"type": "user_registered", "user_id": buyer, "invited_by": inviter,
               "at": "2026-03-01T10:00:00+08:00"}]
    assert client.post("/v1/events", headers=MALL, json=events).json()["accepted"] == 2
    return inviter, buyer


def test_metrics_answer_prometheus_text_with_the_requests_by_route(client, ids):
    _, buyer = _users(client, ids)
    before = samples(client.get("/metrics").text)
    for _ in range(3):
        assert client.get(f"/v1/users/{buyer}/upline", headers=MALL).status_code == 200
    assert client.get(f"/v1/users/{ids('nobody')}/upline", headers=MALL).status_code == 404
    assert client.get(f"/v1/users/{buyer}/upline").status_code == 401
    assert client.get(f"/no/such/{ids('path')}").status_code == 404

    answer = client.get("/metrics")  # no key
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    after = samples(answer.text)
    name = "tiergraph_http_requests_total"
    for status, calls in (("200", 3), ("404", 1), ("401", 1)):
        grew = (value(after, name, route=UPLINE, method="GET", status=status)
                - value(before, name, route=UPLINE, method="GET", status=status))
        assert grew == calls, status
    assert value(after, "tiergraph_http_request_duration_seconds_count", route=UPLINE,
                 status="200") >= 3
    assert value(after, name, route="unmatched", status="404") >= 1
    routes = {labels["route"] for labels, _ in after[name]}
    assert not any(buyer in route or "no/such" in route for route in routes)  # templates only


def test_a_scrape_counts_rebates_by_status_and_the_queue(client, ids):
    from api.metrics import StoreCounts

    _, buyer = _users(client, ids)
    order = {"type": "order_paid", "order_id": ids("o1"), "user_id": buyer,
             "amount_cents": 10000, "currency": "CNY",
             "items": [{"sku": "s1", "amount_cents": 10000}], "at": "2026-03-01T11:00:00+08:00"}
    assert client.post("/v1/events", headers=MALL, json=order).json()["accepted"] == 1
    paid = client.post(f"/v1/orders/{ids('o1')}/payouts", headers=MALL).json()["rebates"]
    assert [r["status"] for r in paid] == ["pending"]

    families = {f.name: f for f in StoreCounts().collect()}  # a fresh reading, not a cached one
    rebates = {s.labels["status"]: s.value for s in families["tiergraph_rebates"].samples}
    assert rebates["pending"] >= 1
    queue = families["tiergraph_queue_length"].samples
    assert [s.labels["queue"] for s in queue] == ["celery", "risk", "reports"]
    assert all(s.value >= 0 for s in queue)


def test_metrics_off_answer_404(client, monkeypatch):
    monkeypatch.setenv("TIERGRAPH_METRICS", "false")
    get_settings.cache_clear()
    try:
        answer = client.get("/metrics")
        assert answer.status_code == 404
        assert answer.headers["content-type"] == "application/problem+json"
        assert "TIERGRAPH_METRICS" in answer.json()["detail"]
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert client.get("/metrics").status_code == 200


def test_a_webhook_delivery_is_counted(client):
    before = value(samples(client.get("/metrics").text), "tiergraph_webhook_deliveries_total",
                   outcome="delivered")
    counts.webhook_delivery("delivered")
    after = value(samples(client.get("/metrics").text), "tiergraph_webhook_deliveries_total",
                  outcome="delivered")
    assert after == before + 1


@pytest.fixture(scope="module")
def live(services: None) -> Iterator[LiveApi]:
    with running_api() as api:
        yield api


def _scrape(live: LiveApi) -> dict[str, list[tuple[dict[str, str], float]]]:
    answer = httpx.get(f"{live.url}/metrics", timeout=30)
    assert answer.status_code == 200
    return samples(answer.text)


@needs_own_worker
def test_a_scrape_of_any_api_process_sums_them_all_and_the_worker(live, ids):
    name = "tiergraph_http_requests_total"
    before = value(_scrape(live), name, route="/healthz", status="200")
    calls = 20
    for _ in range(calls):  # a new connection each time: the processes share the calls
        assert httpx.get(f"{live.url}/healthz", timeout=30).status_code == 200
    assert value(_scrape(live), name, route="/healthz", status="200") == before + calls

    # the worker's task runs, counted in the worker's own processes, are in the API's scrape
    tasks_before = value(_scrape(live), "tiergraph_tasks_total", task="rebates.compute",
                         state="SUCCESS")
    with httpx.Client(base_url=live.url, headers=MALL, timeout=30) as mall:
        inviter, buyer = ids("inviter"), ids("buyer")
        answer = mall.post("/v1/events", json=[
            {"type": "user_registered", "user_id": inviter, "at": "2026-03-01T10:00:00+08:00"},
            {"type": "user_registered", "user_id": buyer, "invited_by": inviter,
             "at": "2026-03-01T10:00:00+08:00"},
            {"type": "order_paid", "order_id": ids("o1"), "user_id": buyer,
             "amount_cents": 10000, "currency": "CNY",
             "items": [{"sku": "s1", "amount_cents": 10000}],
             "at": "2026-03-01T11:00:00+08:00"}])
        assert answer.json()["accepted"] == 3
    deadline = time.monotonic() + WAIT_SECONDS
    while value(_scrape(live), "tiergraph_tasks_total", task="rebates.compute",
                state="SUCCESS") <= tasks_before and time.monotonic() < deadline:
        time.sleep(0.5)
    after = _scrape(live)
    assert value(after, "tiergraph_tasks_total", task="rebates.compute",
                 state="SUCCESS") > tasks_before
    assert value(after, "tiergraph_task_duration_seconds_count", task="rebates.compute") >= 1


def test_the_grafana_dashboard_reads_only_metrics_that_exist():
    import json
    import re
    from pathlib import Path

    dashboard = json.loads((Path(__file__).resolve().parents[2] / "docs" / "grafana"
                            / "tiergraph.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    used = {re.sub(r"_(bucket|sum|count|total)$", "", name)
            for e in exprs for name in re.findall(r"\btiergraph_[a-z_]+", e)}
    defined = {m._name for m in (counts.HTTP_REQUESTS, counts.HTTP_DURATION, counts.TASKS,
                                 counts.TASK_DURATION, counts.DETECTION_DURATION,
                                 counts.WEBHOOK_DELIVERIES)}
    scraped = {"tiergraph_rebates", "tiergraph_queue_length"}  # api/metrics.py StoreCounts
    assert used and used <= defined | scraped, used - defined - scraped
    assert defined | scraped <= used  # every metric has a panel


def test_made_up_methods_and_paths_add_no_series():
    from api.metrics import Observed

    observed = Observed(app=None)  # type: ignore[arg-type]  # only its counting is used
    for n in range(5):
        observed.record({"method": f"BREW{n}", "path": f"/pot/{n}"}, 404, 0.001)
    assert list(observed._children) == [("OTHER", "unmatched", 404)]


def test_a_store_that_does_not_answer_leaves_only_its_count_out(client, monkeypatch):
    import socket

    from api import metrics as route
    from graph import db
    from graph.settings import get_settings

    with socket.socket() as probe:  # a port nothing listens on: Neo4j does not answer
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    db.close_driver()
    monkeypatch.setenv("TIERGRAPH_NEO4J_URI", f"bolt://127.0.0.1:{dead}")
    get_settings.cache_clear()
    try:
        families = {f.name for f in route.StoreCounts().collect()}
        monkeypatch.setattr(route, "STORE_COUNTS", route.StoreCounts())
        answer = client.get("/metrics")
    finally:
        db.close_driver()
        monkeypatch.undo()
        get_settings.cache_clear()
    assert families == {"tiergraph_queue_length"}
    assert answer.status_code == 200
    scrape = samples(answer.text)
    assert "tiergraph_rebates" not in scrape and "tiergraph_queue_length" in scrape
    assert "tiergraph_http_requests_total" in scrape
