"""The benchmark's peer at the HTTP level: a small FastAPI service over PostgreSQL answering
GET /v1/users/{id}/upline with tiergraph's route, key check and JSON, as a mall would
otherwise write it (`tiergraph bench --suite http`).

Run by uvicorn (`lab.bench.http_peer:app`, as many workers as tiergraph's API) and set by
the environment: PEER_DSN (the bench's PostgreSQL, lab/bench/postgres.py), PEER_KEYS (bearer
keys, comma separated), PEER_UPLINE (`recursive`: the adjacency list by WITH RECURSIVE, or
`leaders`: the leader columns), PEER_POOL (connections per process), PEER_MAX_TIERS.
"""

import asyncio
import hmac
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import psycopg
from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from lab.bench import postgres


class UplineEntry(BaseModel):
    tier: int
    user_id: str


class Upline(BaseModel):
    user_id: str
    depth: int
    upline: list[UplineEntry]


class Refused(Exception):
    """An answer other than 200, as a problem (the peer's errors need not be tiergraph's)."""

    def __init__(self, status: int, detail: str) -> None:
        self.status, self.detail = status, detail


class Pool:
    """A fixed set of async connections, each lent to one request at a time."""

    def __init__(self, dsn: str, size: int) -> None:
        self.dsn, self.size = dsn, size
        self._idle: asyncio.Queue[psycopg.AsyncConnection[Any]] = asyncio.Queue()

    async def open(self) -> None:
        for _ in range(self.size):
            self._idle.put_nowait(await psycopg.AsyncConnection.connect(self.dsn,
                                                                        autocommit=True))

    async def close(self) -> None:
        while not self._idle.empty():
            await self._idle.get_nowait().close()

    async def fetch(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        conn = await self._idle.get()
        try:
            cursor = await conn.execute(sql, params)
            return await cursor.fetchall()
        finally:
            self._idle.put_nowait(conn)


def shape(user_id: str, depth: int, rows: list[tuple[Any, ...]],
          mode: str) -> dict[str, Any] | None:
    """The route's answer from the query's rows; None when the user does not exist.
    `recursive`: (tier, id) rows, tier 0 the user; `leaders`: one row of three leaders."""
    if not rows:
        return None
    if mode == "leaders":
        ids = [leader for leader in rows[0] if leader is not None][:depth]
    else:
        ids = [row[1] for row in rows if row[0] > 0][:depth]
    return {"user_id": user_id, "depth": depth,
            "upline": [{"tier": n, "user_id": a} for n, a in enumerate(ids, start=1)]}


def create_app() -> FastAPI:
    """The peer service as the environment sets it."""
    mode = os.environ.get("PEER_UPLINE", "recursive")
    if mode not in ("recursive", "leaders"):
        raise ValueError("PEER_UPLINE is recursive or leaders")
    keys = [k.encode() for k in os.environ.get("PEER_KEYS", "").split(",") if k]
    cap = int(os.environ.get("PEER_MAX_TIERS", "3"))
    pool = Pool(os.environ.get("PEER_DSN", ""), int(os.environ.get("PEER_POOL", "8")))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await pool.open()
        yield
        await pool.close()

    app = FastAPI(title="tiergraph bench peer", lifespan=lifespan)

    @app.exception_handler(Refused)
    async def refused(_: Request, exc: Refused) -> JSONResponse:
        return JSONResponse({"status": exc.status, "detail": exc.detail},
                            status_code=exc.status, media_type="application/problem+json")

    async def mall_key(request: Request) -> None:
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        given = key.strip().encode() if scheme.lower() == "bearer" else b""
        if not given or not any(hmac.compare_digest(k, given) for k in keys):
            raise Refused(401, "send Authorization: Bearer <key>")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/users/{user_id}/upline", response_model=Upline,
             dependencies=[Depends(mall_key)])
    async def get_upline(user_id: str,
                         depth: Annotated[int | None, Query(ge=1, le=100)] = None
                         ) -> dict[str, Any]:
        depth = cap if depth is None else depth
        if depth > cap:
            raise Refused(422, f"depth {depth} is beyond the tier cap of {cap}")
        if mode == "leaders":
            rows = await pool.fetch(postgres.UPLINE_LEADERS, {"id": user_id})
        else:
            rows = await pool.fetch(postgres.UPLINE_FOUND_RECURSIVE,
                                    {"id": user_id, "depth": depth})
        answer = shape(user_id, depth, rows, mode)
        if answer is None:
            raise Refused(404, f"no user {user_id!r}")
        return answer

    return app


app = create_app()
