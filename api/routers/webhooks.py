"""Webhooks (admin): endpoints that are told when money changes (SPEC 10.3), and the log of
every delivery attempt made to each."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StrictStr
from starlette.concurrency import run_in_threadpool

from api.auth import AdminRole
from api.paging import CursorQuery, LimitQuery
from graph.ingest.events import ID_PATTERN
from graph.webhooks import endpoints, outbox
from graph.webhooks.urls import MAX_URL_CHARS
from workers import enqueue

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])
Event = Literal["rebate.status_changed", "withdrawal.completed", "withdrawal.rejected",
                "ring.decided"]
DeliveryStatus = Literal["pending", "delivered", "failed", "cancelled"]


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Annotated[StrictStr, Field(pattern=ID_PATTERN)]
    url: Annotated[StrictStr, Field(min_length=1, max_length=MAX_URL_CHARS)]
    events: Annotated[list[Event], Field(min_length=1, max_length=4)]
    # signs every delivery (HMAC-SHA256); stored sealed, never answered
    secret: Annotated[StrictStr, Field(min_length=16, max_length=256)]


class WebhookOut(BaseModel):
    id: str
    url: str
    events: list[str]
    created_at: str


class WebhookPage(BaseModel):
    items: list[WebhookOut]
    next_cursor: str | None


class AttemptOut(BaseModel):
    attempt: int
    at: str
    status_code: int | None
    error: str | None
    duration_ms: int
    next_retry_at: str | None


class DeliveryOut(BaseModel):
    id: str
    type: str
    created_at: str
    status: str
    next_retry_at: str | None
    attempts: list[AttemptOut]


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]
    next_cursor: str | None


@router.post("", status_code=201, response_model=WebhookOut)
async def register_webhook(body: WebhookIn, request: Request, response: Response,
                           role: AdminRole) -> dict[str, Any]:
    """Register an endpoint for some events; a URL into loopback or private ranges is 422
    (unless TIERGRAPH_WEBHOOK_ALLOW_PRIVATE), the same body again answers 200, another body
    for the same id 409. The secret is never answered."""
    found, created = await run_in_threadpool(
        lambda: endpoints.register(webhook_id=body.id, url=body.url, events=list(body.events),
                                   secret=body.secret, actor=request.state.actor, role=role,
                                   request_id=request.state.request_id))
    if not created:
        response.status_code = 200
    return found


@router.get("", response_model=WebhookPage)
def list_webhooks(_: AdminRole, limit: LimitQuery = 100,
                  cursor: CursorQuery = None) -> dict[str, Any]:
    """Registered endpoints by id, a page at a time (never their secrets)."""
    return endpoints.list_page(limit, cursor)


@router.delete("/{webhook_id}", status_code=204)
def delete_webhook(webhook_id: str, request: Request, role: AdminRole) -> Response:
    """Delete an endpoint: its pending deliveries are cancelled and nothing more is sent."""
    endpoints.delete(webhook_id, actor=request.state.actor, role=role,
                     request_id=request.state.request_id)
    return Response(status_code=204)


@router.get("/{webhook_id}/deliveries", response_model=DeliveryPage)
def list_deliveries(webhook_id: str, _: AdminRole,
                    status: Annotated[DeliveryStatus | None,
                                      Query(description="only deliveries in this state")] = None,
                    limit: LimitQuery = 100, cursor: CursorQuery = None) -> dict[str, Any]:
    """An endpoint's deliveries, newest first, each with every attempt: when, the status
    code or the error, how long it took, its number and when the next retry is due."""
    return endpoints.deliveries(webhook_id, status, limit, cursor)


def _wake_the_drain() -> None:
    enqueue.send("webhooks.deliver", [])


# Deliveries this process commits (a settlement run, a withdrawal, a decision) are sent at
# once by the worker's drain, not at the beat's next turn.
outbox.notify_with(_wake_the_drain)
