"""Every error as application/problem+json: {type, title, status, detail} (+ errors).

Domain refusals arrive as graph.errors.DomainError; one handler renders them, so routers
raise and never translate."""

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from kombu.exceptions import OperationalError as QueueUnavailable
from neo4j.exceptions import ServiceUnavailable, SessionExpired, TransientError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph.errors import DomainError

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
RETRY_AFTER = {"Retry-After": "5"}  # a dependency down: seconds before a retry is worth it
TYPE_BASE = "https://tiergraph.dev/problems/"

_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


def problem_response(status: int, kind: str, detail: str, headers: dict[str, str] | None = None,
                     **extra: Any) -> JSONResponse:
    body = {"type": TYPE_BASE + kind, "title": _TITLES.get(status, "Error"), "status": status,
            "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


# What /openapi.json promises for every error answer (the handlers below send only this).
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
        "reason": {"type": "string"},
    },
}


def _kind_for(status: int) -> str:
    return {401: "unauthorized", 403: "forbidden", 404: "not-found", 405: "method-not-allowed",
            409: "conflict", 413: "payload-too-large", 429: "rate-limited"}.get(status, "error")


def _document_problems(app: FastAPI) -> None:
    """Make /openapi.json say what errors really look like: any operation may answer a 4xx
    or 5xx problem+json, and FastAPI's own 422 body (HTTPValidationError), which the
    handlers never send, is dropped from it."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components.pop("HTTPValidationError", None)
            components.pop("ValidationError", None)
            components["Problem"] = PROBLEM_SCHEMA
            problem = {"content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
            for path in schema.get("paths", {}).values():
                for operation in path.values():
                    responses = operation.setdefault("responses", {})
                    responses.pop("422", None)
                    responses.setdefault("4XX", {"description": "Refused: a problem", **problem})
                    responses.setdefault("5XX", {"description": "Failed: a problem", **problem})
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into problem+json, and document them."""
    _document_problems(app)

    @app.exception_handler(DomainError)
    async def _refused(_: Request, exc: DomainError) -> JSONResponse:
        return problem_response(exc.status, exc.kind, exc.detail, exc.headers, **exc.extra)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem_response(exc.status_code, _kind_for(exc.status_code), str(exc.detail),
                                headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
            for e in exc.errors()[:50]
        ]
        detail = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors[:5])
        return problem_response(422, "validation", detail or "invalid request", errors=errors)

    @app.exception_handler(ServiceUnavailable)
    @app.exception_handler(SessionExpired)
    async def _database_down(_: Request, exc: Exception) -> JSONResponse:
        # Nothing was acknowledged: the caller retries, and replays are harmless.
        log.warning("Neo4j unavailable: %s", exc)
        return problem_response(503, "database-unavailable",
                                "the graph database is unavailable; nothing was stored, retry",
                                headers=RETRY_AFTER)

    @app.exception_handler(TransientError)
    async def _database_busy(_: Request, exc: Exception) -> JSONResponse:
        # The driver retried for its whole budget (lock waits, deadlocks, a leader change):
        # the write was rolled back, so the caller retries.
        log.warning("Neo4j transaction still failing after the driver's retries: %s", exc)
        return problem_response(503, "database-busy",
                                "the graph database could not complete the change in time; "
                                "nothing was stored, retry", headers=RETRY_AFTER)

    @app.exception_handler(RedisConnectionError)
    @app.exception_handler(RedisTimeoutError)
    @app.exception_handler(QueueUnavailable)
    async def _redis_down(_: Request, exc: Exception) -> JSONResponse:
        # Redis holds the task queue, jobs, locks and the audit seals. Nothing was
        # acknowledged: the caller retries with the same ids, and replays are harmless.
        log.warning("Redis unavailable: %s", exc)
        return problem_response(503, "redis-unavailable",
                                "a Redis service (task queue, jobs, locks or audit store) is "
                                "unavailable; retry", headers=RETRY_AFTER)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(500, "internal", "an unexpected error occurred; it has been logged")
