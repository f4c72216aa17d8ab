"""Keyset pages for every list (SPEC 10.2): {"items", "next_cursor"}, the cursor carrying the
sort keys of the last item of the page before, as URL-safe base64 JSON."""

import base64
import binascii
from collections.abc import Callable
from typing import Any, TypeVar

import orjson

from graph.errors import refused

T = TypeVar("T")


def encode(keys: list[Any]) -> str:
    """The cursor carrying `keys`."""
    return base64.urlsafe_b64encode(orjson.dumps(keys)).decode().rstrip("=")


def decode(cursor: str | None, read: Callable[[list[Any]], T]) -> T | None:
    """What `read` makes of the keys a cursor carries (it raises ValueError or TypeError on
    keys of the wrong shape), or None for the first page; a cursor this service did not give
    is refused (422 invalid_cursor)."""
    if cursor is None:
        return None
    try:
        keys = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if type(keys) is not list:
            raise ValueError("not a list of keys")
        return read(keys)
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
        raise refused("invalid_cursor", "the cursor is not one this list gave") from None


def page(items: list[T], limit: int, keys: Callable[[T], list[Any]]) -> dict[str, Any]:
    """The page of `items` (up to limit + 1 read, the extra one only telling that more
    follow) with the cursor of the next page, or None when this one is the last."""
    more = len(items) > limit
    shown = items[:limit]
    return {"items": shown, "next_cursor": encode(keys(shown[-1])) if more else None}
