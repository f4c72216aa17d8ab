"""Long jobs (ring detection, ...) and their status, kept in Redis for a week.

A job is created `queued` when the API accepts it, becomes `running` with a progress
fraction and a stage name while a worker works on it, and ends `succeeded` with its
result or `failed` with the error. GET /v1/jobs/{id} reads it.
"""

import contextlib
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
import redis

from graph import redis_clients

TTL_SECONDS = 7 * 24 * 3600
STATUSES = ("queued", "running", "succeeded", "failed")


def _client() -> redis.Redis:
    return redis_clients.app()


def _key(job_id: str) -> str:
    return f"tiergraph:job:{job_id}"


def _save(job: dict[str, Any]) -> None:
    _client().set(_key(job["job_id"]), orjson.dumps(job), ex=TTL_SECONDS)


QUEUED_STALE_SECONDS = 3600


def running(kind: str) -> dict[str, Any] | None:
    """The live queued or running job of this kind, if there is one. A job `running`
    without its lock held (its worker died) or queued for over an hour is not live."""
    client = _client()
    raw = client.get(f"tiergraph:job-current:{kind}")
    job = get(raw.decode()) if raw else None
    if job is None:
        return None
    if job["status"] == "running" and client.exists(f"tiergraph:lock:{kind}"):
        return job
    age = datetime.now(UTC) - datetime.fromisoformat(job["created_at"])
    if job["status"] == "queued" and age.total_seconds() < QUEUED_STALE_SECONDS:
        return job
    return None


def lock(name: str, timeout_seconds: int = 4 * 3600) -> Any:
    """A Redis lock that one process at a time holds (non-blocking to acquire)."""
    return _client().lock(f"tiergraph:lock:{name}", timeout=timeout_seconds, blocking=False)


def create(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """A new queued job (the current one of its kind)."""
    job = _new(kind, params)
    _make_current(kind, job["job_id"])
    return job


def start(kind: str, params: dict[str, Any], send: Callable[[str], None]) -> dict[str, Any]:
    """The live job of `kind` if there is one, else a new one that `send(job_id)` queues.

    The new job becomes the current one of its kind only once it was sent: a job whose send
    failed is marked failed (when Redis still answers) and the error raised, so it never
    stands queued in the way of the next start."""
    under_way = running(kind)
    if under_way is not None:
        return under_way
    job = _new(kind, params)
    try:
        send(job["job_id"])
    except Exception as error:
        with contextlib.suppress(redis.RedisError):
            update(job["job_id"], status="failed",
                   error=f"could not be queued: {str(error)[:200]}")
        raise
    _make_current(kind, job["job_id"])
    return job


def _new(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    job: dict[str, Any] = {
        "job_id": uuid.uuid4().hex, "kind": kind, "status": "queued", "params": params,
        "progress": 0.0, "stage": None, "result": None, "error": None,
        "created_at": datetime.now(UTC).isoformat(), "finished_at": None}
    _save(job)
    return job


def _make_current(kind: str, job_id: str) -> None:
    _client().set(f"tiergraph:job-current:{kind}", job_id, ex=TTL_SECONDS)


def get(job_id: str) -> dict[str, Any] | None:
    """The job, or None when unknown or expired."""
    raw = _client().get(_key(job_id))
    return orjson.loads(raw) if raw else None


def update(job_id: str, **fields: Any) -> None:
    """Change some fields of a job (status, progress, stage, result, error)."""
    job = get(job_id)
    if job is None:
        return
    job.update(fields)
    if fields.get("status") in ("succeeded", "failed"):
        job["finished_at"] = datetime.now(UTC).isoformat()
    _save(job)
