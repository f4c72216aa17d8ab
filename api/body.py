"""Request bodies read as raw JSON, for the routes that validate events themselves."""

from typing import Any

import orjson
from fastapi import Request

from graph.errors import DomainError
from graph.settings import get_settings


async def read_json(request: Request) -> Any:
    """The request body as JSON, or a problem: 413 when too large, 400 when malformed."""
    limit = get_settings().max_body_bytes
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise DomainError("payload-too-large", f"the body exceeds {limit} bytes", 413)
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise DomainError("malformed-json", f"the body is not valid JSON: {error}", 400) from None
