"""The FastAPI application: routers, problem+json errors, schema at start-up."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from api import errors
from api.routers import compliance, events, health, orders, users
from graph import db
from graph.rebates import ensure_default_rule
from graph.settings import get_settings

ROUTERS = tuple(m.router for m in (health, events, users, orders, compliance))


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    get_settings()  # refuses TIERGRAPH_MAX_TIERS above 3 before serving anything
    await run_in_threadpool(db.apply_schema)
    await run_in_threadpool(ensure_default_rule)
    yield
    db.close_driver()


def create_app() -> FastAPI:
    """Build the app with every router and the problem+json handlers."""
    app = FastAPI(
        title="tiergraph",
        version="0.1.0",
        summary="Referral rebates capped at three tiers, on a Neo4j invite graph.",
        lifespan=lifespan,
    )
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router)
    return app


app = create_app()
