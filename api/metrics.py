"""GET /metrics (Prometheus text, no key) and the middleware that counts and logs requests.

`Observed` times every HTTP request, counts it by method, route template and status in the
metrics of graph/metrics.py, and writes the access log line (logger `tiergraph.access`, a
JSON line under uvicorn: graph/logs.py). It is plain ASGI, like the other middlewares of
api/main.py, and its per-request work is a dict look-up, two metric updates and, when the
access logger is on, one log line.

A scrape adds up the metric files of every API and worker process (graph/metrics.py) and
reads two counts from the stores: rebates by status (Neo4j) and the length of the task
queue (Redis), each kept a few seconds so frequent scrapes cost the stores little. A store
that does not answer leaves its count out of that scrape; the rest is still answered.
With TIERGRAPH_METRICS=false the route answers 404.
"""

import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph import db, logs, redis_clients
from graph import metrics as counts
from graph.errors import DomainError
from graph.settings import get_settings
from workers.app import QUEUES

access_log = logging.getLogger("tiergraph.access")
UNMATCHED = "unmatched"  # the route label of a path no route matched (never the raw path)
# Methods counted by name; any other a caller makes up is counted as OTHER, so no caller
# can add series without end.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER = "OTHER"
STORE_COUNTS_SECONDS = 5.0  # how long a scrape's store counts are reused


class Observed:
    """Count, time and log every HTTP request (see the module's docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # (method, route, status) -> the counter's and the histogram's child for those labels
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server answers when the app raises before it answered

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            self.record(scope, status, time.perf_counter() - started)

    def record(self, scope: Scope, status: int, seconds: float) -> None:
        """Count one answered request and write its access log line."""
        route = scope.get("route")
        template = getattr(route, "path", None) or UNMATCHED
        method = scope["method"] if scope["method"] in METHODS else OTHER
        key = (method, template, status)
        children = self._children.get(key)
        if children is None:
            label = str(status)
            children = (counts.HTTP_REQUESTS.labels(method, template, label),
                        counts.HTTP_DURATION.labels(method, template, label))
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)
        if access_log.isEnabledFor(logging.INFO):
            milliseconds = round(seconds * 1000, 3)
            path = scope["path"]  # never the query string, which may carry a phone number
            request_id, caller = logs.current()  # kept on the record, whoever formats it
            access_log.info("%s %s %d %.1f ms", method, path, status, milliseconds,
                            extra={"method": method, "path": path, "route": template,
                                   "status": status, "duration_ms": milliseconds,
                                   "request_id": request_id, "caller_request_id": caller})


class StoreCounts(Collector):
    """Rebates by status and the task queue's length, read when scraped, kept a few seconds
    (per API process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._read_at = -STORE_COUNTS_SECONDS
        self._rebates: dict[str, int] | None = None
        self._queues: dict[str, int] | None = None

    def _refresh(self) -> None:
        now = time.monotonic()
        if now - self._read_at < STORE_COUNTS_SECONDS:
            return
        try:
            rows = db.read_query("metrics.rebates_by_status")
            self._rebates = {str(row["status"]): int(row["rebates"]) for row in rows}
        except Exception as error:  # a scrape answers what it can: Neo4j down is no 500
            logging.getLogger(__name__).warning("rebates by status not read: %s", error)
            self._rebates = None
        try:
            client = redis_clients.app()
            self._queues = {queue: int(client.llen(queue)) for queue in QUEUES}
        except Exception as error:
            logging.getLogger(__name__).warning("task queue length not read: %s", error)
            self._queues = None
        self._read_at = now

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self._lock:
            self._refresh()
            rebates, queues = self._rebates, self._queues
        if rebates is not None:
            family = GaugeMetricFamily("tiergraph_rebates", "Rebates stored, by status.",
                                       labels=["status"])
            for status, number in sorted(rebates.items()):
                family.add_metric([status], number)
            yield family
        if queues is not None:
            family = GaugeMetricFamily("tiergraph_queue_length",
                                       "Celery tasks waiting in the queue, by queue.",
                                       labels=["queue"])
            for queue, number in queues.items():
                family.add_metric([queue], number)
            yield family


STORE_COUNTS = StoreCounts()
router = APIRouter(tags=["metrics"])


@router.get("/metrics", response_class=Response, responses={
    200: {"description": "Prometheus text exposition format",
          "content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}},
    404: {"description": "Metrics are off (TIERGRAPH_METRICS=false)"}})
def get_metrics() -> Response:
    """Metrics of every API and worker process, in Prometheus text format; no key."""
    if not get_settings().metrics:
        raise DomainError("not-found", "metrics are off (TIERGRAPH_METRICS=false)", 404)
    registry = counts.registry()
    registry.register(STORE_COUNTS)
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

