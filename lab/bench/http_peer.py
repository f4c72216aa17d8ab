"""The benchmark's peer at the HTTP level: a small FastAPI service over PostgreSQL answering
GET /v1/users/{id}/upline, POST /v1/orders/{id}/payouts and POST /v1/events with tiergraph's
routes, key check and JSON, as a mall would otherwise write it (`tiergraph bench --suite
http`). Payouts answer the rebates tiergraph computed, copied into its tables (it computes
none: the bench asks only for computed orders); events are validated by tiergraph's own pure
validation (graph/ingest/events.py), so what differs is the store, and it keeps sessions and
paid orders (the kinds the bench sends; others are refused; sessions are not checked for
replays, as tiergraph's are).

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

import orjson
import psycopg
from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from graph.ingest.events import OrderPaid, Rejection, Session, parse_event
from lab.bench import postgres


class UplineEntry(BaseModel):
    tier: int
    user_id: str


class Upline(BaseModel):
    user_id: str
    depth: int
    upline: list[UplineEntry]


class RebateOut(BaseModel):
    rebate_id: str
    beneficiary: str
    tier: int
    kind: str
    amount_cents: int
    status: str
    reason: str | None


class OrderRebates(BaseModel):
    order_id: str
    computed: bool
    rebates: list[RebateOut]


class Rejected(BaseModel):
    index: int
    reason: str
    detail: str


class EventsAccepted(BaseModel):
    accepted: int
    duplicates: int
    rejected: list[Rejected]


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

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        """A connection of the pool, for the block."""
        conn = await self._idle.get()
        try:
            yield conn
        finally:
            self._idle.put_nowait(conn)

    async def fetch(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        async with self.connection() as conn:
            cursor = await conn.execute(sql, params)
            return await cursor.fetchall()


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


def payouts_shape(order_id: str, rows: list[tuple[Any, ...]]) -> dict[str, Any] | None:
    """The payouts answer from postgres.PAYOUTS' rows (computed, then a rebate's columns, all
    None for an order without rebates); None when the order does not exist."""
    if not rows:
        return None
    names = postgres.REBATE_COLUMNS[1:]
    return {"order_id": order_id, "computed": rows[0][0],
            "rebates": [dict(zip(names, row[1:], strict=True)) for row in rows
                        if row[1] is not None]}


Indexed = list[tuple[int, Any]]  # events with their place in the batch


def split_events(raw: list[Any]) -> tuple[Indexed, Indexed, list[Rejection]]:
    """A batch's paid orders and sessions, validated, each with its index, and the refusals
    (any other kind too)."""
    orders: Indexed = []
    sessions: Indexed = []
    refused: list[Rejection] = []
    for index, item in enumerate(raw):
        event = parse_event(index, item)
        if isinstance(event, OrderPaid):
            orders.append((index, event))
        elif isinstance(event, Session):
            sessions.append((index, event))
        elif isinstance(event, Rejection):
            refused.append(event)
        else:
            refused.append(Rejection(index=index, reason="unsupported",
                                     detail="the peer keeps sessions and paid orders only"))
    return orders, sessions, refused


def _columns(events: Indexed, names: tuple[str, ...]) -> dict[str, list[Any]]:
    return {name: [getattr(e, name) for _, e in events] for name in names}


async def store_events(conn: psycopg.AsyncConnection[Any], raw: list[Any]) -> dict[str, Any]:
    """Validate and store a batch in one transaction, as POST /v1/events answers it: events
    of unknown users refused, an order id already stored a duplicate."""
    orders, sessions, refused = split_events(raw)
    async with conn.transaction():
        wanted = list({e.user_id for _, e in [*orders, *sessions]})
        cursor = await conn.execute(postgres.KNOWN_USERS, {"ids": wanted})
        known = {row[0] for row in await cursor.fetchall()}
        refused += [Rejection(index=i, reason="unknown_user",
                              detail=f"user {e.user_id} is not registered")
                    for i, e in [*orders, *sessions] if e.user_id not in known]
        orders = [(i, e) for i, e in orders if e.user_id in known]
        sessions = [(i, e) for i, e in sessions if e.user_id in known]
        stored = 0
        if orders:
            params = _columns(orders, ("user_id", "amount_cents", "device_id", "ip",
                                       "payment_account", "shipping_address", "at"))
            params["id"] = [e.order_id for _, e in orders]
            params["items"] = [orjson.dumps([i.model_dump() for i in e.items]).decode()
                               for _, e in orders]
            cursor = await conn.execute(postgres.INSERT_ORDERS, params)
            stored = len(await cursor.fetchall())
        if sessions:
            await conn.execute(postgres.INSERT_SESSIONS,
                               _columns(sessions, ("user_id", "device_id", "ip", "at")))
    return {"accepted": stored + len(sessions), "duplicates": len(orders) - stored,
            "rejected": [r.model_dump() for r in sorted(refused, key=lambda r: r.index)]}


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

    @app.post("/v1/orders/{order_id}/payouts", response_model=OrderRebates,
              dependencies=[Depends(mall_key)])
    async def request_payouts(order_id: str) -> dict[str, Any]:
        answer = payouts_shape(order_id, await pool.fetch(postgres.PAYOUTS, {"id": order_id}))
        if answer is None:
            raise Refused(404, f"no order {order_id!r}")
        return answer

    @app.post("/v1/events", response_model=EventsAccepted, dependencies=[Depends(mall_key)])
    async def post_events(request: Request) -> dict[str, Any]:
        try:
            payload = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            raise Refused(400, "the body is not JSON") from None
        async with pool.connection() as conn:
            return await store_events(conn, payload if isinstance(payload, list) else [payload])

    return app


app = create_app()
