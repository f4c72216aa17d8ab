"""The FastAPI application: routers, problem+json errors, schema at start-up."""

import asyncio
import logging
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import auth, errors, metrics, openapi, ratelimit
from api.console import routes as console
from api.routers import (
    apikeys,
    audit,
    compliance,
    events,
    growth,
    health,
    ledger,
    money,
    orders,
    risk,
    rules,
    team_rewards,
    users,
    webhooks,
    withdrawals,
)
from graph import db, logs
from graph.audit import trail
from graph.rules.book import ensure_default_rule
from graph.settings import get_settings
from graph.users import invites

ROUTERS = tuple(m.router for m in (health, events, users, orders, money, withdrawals, rules,
                                   risk, compliance, audit, apikeys, ledger, webhooks, growth,
                                   team_rewards))
# What the audit log keeps of a caller's X-Request-ID (caller_request_id below).
CALLER_ID_CHARS = 128
CALLER_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._:/@+=-]")
STOP_SECONDS = 5.0  # at shutdown, the background tasks' longest wait for Redis is 0.5 s


class HttpMiddleware:
    """Plain ASGI middleware that acts on HTTP requests (`http`) and passes anything else
    (lifespan) through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.http(scope, receive, send)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class BodyLimit(HttpMiddleware):
    """Refuse a body over TIERGRAPH_MAX_BODY_BYTES with a 413 problem: before reading it
    when Content-Length declares it, else as soon as the bytes read pass the limit (a
    chunked body declares no length). Every route is covered, those whose body FastAPI
    parses as well as those reading it themselves."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = get_settings().max_body_bytes
        too_large = f"the body exceeds {limit} bytes"
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await errors.problem_response(413, "payload-too-large", too_large)(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # An HTTPException, so FastAPI's body parsing passes it on untouched and
                    # the handlers in api.errors answer it as a problem.
                    raise StarletteHTTPException(413, too_large)
            return message

        await self.app(scope, limited_receive, send)


class RequestId(HttpMiddleware):
    """Every request gets an id of the server's making, kept in request.state for audit
    entries and answered in X-Request-ID. The caller's own X-Request-ID, made safe and short
    (`caller_request_id`), is bound beside it for the audit log (graph/audit/trail.py), never
    trusted as the id. The caller's role is bound too, for what the answer may show it.

    Plain ASGI rather than `@app.middleware("http")`: Starlette's BaseHTTPMiddleware runs
    the rest of each request in a task of its own, with streams between the two, a cost paid
    on every call (docs/benchmarks.md has the API's CPU per call)."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() != b"x-request-id"]
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        caller = caller_request_id(Headers(scope=scope).get("x-request-id", ""))
        request_token = trail.bind_request(request_id, caller)
        log_token = logs.bind(request_id, caller)  # log lines and tasks sent carry both ids
        viewer_token = auth.bind_viewer()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            auth.unbind_viewer(viewer_token)
            logs.unbind(log_token)
            trail.unbind_request(request_token)


def caller_request_id(given: str) -> str | None:
    """The caller's X-Request-ID as the audit log keeps it: at most CALLER_ID_CHARS, any
    character but letters, digits and `._:/@+=-` replaced by `_`; None when empty."""
    kept = CALLER_ID_UNSAFE.sub("_", given.strip()[:CALLER_ID_CHARS])
    return kept or None


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    """Start-up: settings checked, schema applied, the async Neo4j driver of this event loop
    opened, and the background tasks started: the upline cache's watcher and the rate
    limits' exchange with Redis (each API process runs its own)."""
    get_settings()  # refuses TIERGRAPH_MAX_TIERS above 3 before serving anything
    await run_in_threadpool(db.apply_schema)
    await run_in_threadpool(ensure_default_rule)
    await db.open_async_driver()
    tasks = [asyncio.create_task(invites.watch_uplines()),
             asyncio.create_task(ratelimit.reconcile_forever())]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks, timeout=STOP_SECONDS)
        cache = invites.cached_uplines()
        # uvicorn's own logger: its log is where an operator (and `tiergraph bench`) looks.
        logging.getLogger("uvicorn.error").info(
            "upline cache at shutdown: %d entries, %d answers from memory, %d from the graph",
            len(cache), cache.hits, cache.misses)
        await db.close_async_driver()
        db.close_driver()


def create_app() -> FastAPI:
    """Build the app with every router and the problem+json handlers."""
    app = FastAPI(
        title="tiergraph",
        version="0.1.0",
        summary="Referral rebates capped at three tiers, on a Neo4j invite graph.",
        lifespan=lifespan,
        generate_unique_id_function=openapi.operation_id,  # stable operationIds
    )
    errors.install(app)
    openapi.install(app)  # the bearer scheme and the event union (api/openapi.py)
    if logs.under_uvicorn():  # JSON log lines (graph/logs.py); a test client keeps its own
        logs.configure()

    app.add_middleware(BodyLimit)

    # inside RequestId, so its access log line carries the request's ids; outside BodyLimit,
    # so refused bodies are counted too
    app.add_middleware(metrics.Observed)

    app.add_middleware(RequestId)

    for router in ROUTERS:
        app.include_router(router)
    app.include_router(metrics.router)  # GET /metrics: no key, off with TIERGRAPH_METRICS=false
    app.include_router(console.router)  # GET /console: the web console (no key, no schema)
    return app


app = create_app()
