"""POST /v1/events: the mall's event feed, one event or a batch of up to 10,000."""

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.auth import MallRole
from api.body import read_json
from api.openapi import EVENT_BODY  # the event union, declared: the body is read raw
from graph.errors import DomainError
from graph.ingest.batch import ingest_raw
from graph.settings import get_settings
from workers.enqueue import enqueue_rebates

router = APIRouter(prefix="/v1", tags=["events"])


class Rejected(BaseModel):
    index: int
    reason: str
    detail: str


class EventsAccepted(BaseModel):
    accepted: int
    duplicates: int
    rejected: list[Rejected]


@router.post("/events", response_model=EventsAccepted, openapi_extra=EVENT_BODY)
async def post_events(request: Request, _: MallRole) -> dict[str, Any]:
    """Ingest events; good ones are stored even when others in the batch are refused."""
    payload = await read_json(request)
    events = payload if isinstance(payload, list) else [payload]
    limit = get_settings().max_batch_events
    if len(events) > limit:
        raise DomainError("batch-too-large",
                          f"{len(events)} events in one call; send at most {limit} per call", 413)
    result = await run_in_threadpool(ingest_raw, events)
    if result.new_order_ids:
        await run_in_threadpool(enqueue_rebates, result.new_order_ids)
    return result.as_dict()
