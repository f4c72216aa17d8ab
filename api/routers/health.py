"""Liveness and readiness (no key needed)."""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from graph import db, redis_clients
from graph.audit import seals

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, Any]:
    """The process is alive."""
    return {"status": "ok", "checks": {}}


@router.get("/readyz")
def readyz() -> JSONResponse:
    """Ready when Neo4j, Redis and the audit store answer; 503 otherwise."""
    checks = {"neo4j": db.ping(), "redis": redis_clients.answers(redis_clients.app()),
              "audit_store": seals.ping()}
    ready = all(checks.values())
    return JSONResponse({"status": "ready" if ready else "not-ready", "checks": checks},
                        status_code=200 if ready else 503)
