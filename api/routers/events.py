"""POST /v1/events: the mall's event feed, one event or a batch of up to 10,000."""

from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from api.auth import MallRole
from api.errors import Problem
from api.schemas import EventsAccepted
from graph.ingest.batch import ingest_raw
from graph.settings import get_settings
from workers.enqueue import enqueue_rebates

router = APIRouter(prefix="/v1", tags=["events"])

EVENT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        {"type": "array", "items": {"type": "object"}, "maxItems": 10000},
                        {"type": "object"},
                    ]
                }
            }
        },
    }
}


async def read_json(request: Request) -> Any:
    """The request body as JSON, or a problem: 413 when too large, 400 when malformed."""
    limit = get_settings().max_body_bytes
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise Problem(413, "payload-too-large", f"the body exceeds {limit} bytes")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise Problem(400, "malformed-json", f"the body is not valid JSON: {error}") from None


@router.post("/events", response_model=EventsAccepted, openapi_extra=EVENT_BODY)
async def post_events(request: Request, _: MallRole) -> dict[str, Any]:
    """Ingest events; good ones are stored even when others in the batch are refused."""
    payload = await read_json(request)
    events = payload if isinstance(payload, list) else [payload]
    limit = get_settings().max_batch_events
    if len(events) > limit:
        raise Problem(413, "batch-too-large",
                      f"{len(events)} events in one call; send at most {limit} per call")
    result = await run_in_threadpool(ingest_raw, events)
    if result.new_order_ids:
        await run_in_threadpool(enqueue_rebates, result.new_order_ids)
    return result.as_dict()
