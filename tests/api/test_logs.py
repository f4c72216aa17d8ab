"""JSON log lines (graph/logs.py): one object per line, each with the request it serves;
the request's ids travel with the tasks it queues into the worker's log (workers/signals.py)."""

import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from graph import logs
from graph.settings import get_settings
from tests.api.live import LiveApi, needs_own_worker, running_api
from tests.conftest import auth

MALL = auth("mall")
WAIT_SECONDS = 60  # how long the worker may take to run the task the request queued


def record(message: str, **extra: Any) -> logging.LogRecord:
    made = logging.LogRecord("tiergraph.test", logging.INFO, __file__, 1, message, (), None)
    for name, value in extra.items():
        setattr(made, name, value)
    return made


def test_a_line_is_one_json_object_with_the_bound_request_ids():
    token = logs.bind("f" * 32, "mall-7:abc")
    try:
        line = logs.JsonFormatter().format(record("two\nlines", status=200, duration_ms=1.5,
                                                  method="GET", unrelated="not shown"))
    finally:
        logs.unbind(token)
    assert "\n" not in line
    shown = json.loads(line)
    assert shown["message"] == "two\nlines"
    assert shown["request_id"] == "f" * 32 and shown["caller_request_id"] == "mall-7:abc"
    assert shown["status"] == 200 and shown["duration_ms"] == 1.5 and shown["method"] == "GET"
    assert shown["level"] == "INFO" and shown["logger"] == "tiergraph.test"
    assert "unrelated" not in shown
    assert logs.current() == (None, None)
    unbound = json.loads(logs.JsonFormatter().format(record("no request")))
    assert "request_id" not in unbound and "caller_request_id" not in unbound


def test_an_exception_stays_on_the_line():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        failed = record("failed")
        failed.exc_info = sys.exc_info()
    shown = json.loads(logs.JsonFormatter().format(failed))
    assert "ValueError: boom" in shown["exception"]


def test_uvicorns_configuration_makes_every_line_json(tmp_path):
    written = logs.write_uvicorn_config(tmp_path)
    config = json.loads(written.read_text())
    assert config["formatters"]["json"]["()"] == "graph.logs.JsonFormatter"
    assert config["root"]["handlers"] == ["default"]


def test_the_access_line_of_an_in_process_request(client, caplog):
    with caplog.at_level(logging.INFO, logger="tiergraph.access"):
        answer = client.get("/healthz?phone=13800000000", headers={"X-Request-ID": "caller-1"})
    line = next(r for r in caplog.records if r.name == "tiergraph.access")
    assert (line.method, line.path, line.route, line.status) == ("GET", "/healthz", "/healthz",
                                                                 200)
    assert line.duration_ms >= 0
    assert "13800000000" not in line.getMessage()  # the query string is never logged
    shown = json.loads(logs.JsonFormatter().format(line))
    assert shown["request_id"] == answer.headers["x-request-id"]
    assert shown["caller_request_id"] == "caller-1"


@pytest.fixture(scope="module")
def live(services: None) -> Iterator[LiveApi]:
    with running_api() as api:
        yield api


def _json_lines(lines: list[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in lines]


def _wait_for(found: Callable[[], dict[str, Any] | None], what: str) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        line = found()
        if line is not None:
            return line
        time.sleep(0.5)
    raise AssertionError(f"no {what} within {WAIT_SECONDS} s")


@needs_own_worker
def test_the_request_id_reaches_the_api_log_and_the_workers_line_for_its_task(live, ids):
    caller = f"h-{uuid.uuid4().hex}"
    events = [
        {"type": "user_registered", "user_id": ids("inviter"), "at": "2026-03-01T10:00:00+08:00"},
        {"type": "user_registered", "user_id": ids("buyer"), "invited_by": ids("inviter"),
         "at": "2026-03-01T10:00:00+08:00"},
        {"type": "order_paid", "order_id": ids("o1"), "user_id": ids("buyer"),
         "amount_cents": 10000, "currency": "CNY",
         "items": [{"sku": "s1", "amount_cents": 10000}], "at": "2026-03-01T11:00:00+08:00"},
    ]
    answer = httpx.post(f"{live.url}/v1/events", json=events,
                        headers={**MALL, "X-Request-ID": caller}, timeout=30)
    assert answer.status_code == 200 and answer.json()["accepted"] == 3, answer.text
    server_id = answer.headers["x-request-id"]

    def access_line() -> dict[str, Any] | None:
        return next((line for line in _json_lines(live.log_lines())
                     if line.get("logger") == "tiergraph.access"
                     and line.get("request_id") == server_id), None)

    # the API writes its log line once the answer is sent: it may land a moment later
    api_line = _wait_for(access_line, "access line")
    assert api_line["caller_request_id"] == caller
    assert (api_line["method"], api_line["path"], api_line["status"]) == ("POST", "/v1/events",
                                                                          200)
    assert api_line["route"] == "/v1/events" and api_line["duration_ms"] > 0
    # every line of the API's processes is a JSON object, the supervising process's too
    assert all(isinstance(line, dict) for line in _json_lines(live.log_lines()))

    worker_log = get_settings().data_dir / "logs" / "worker.log"

    def task_line() -> dict[str, Any] | None:
        for text in worker_log.read_text(errors="replace").splitlines():
            if server_id in text and text.startswith("{"):
                line = json.loads(text)
                if line.get("task") == "rebates.compute" and line.get("request_id") == server_id:
                    return line
        return None

    worker_line = _wait_for(task_line, "worker line for rebates.compute")
    assert worker_line["caller_request_id"] == caller
    assert worker_line["state"] == "SUCCESS"
