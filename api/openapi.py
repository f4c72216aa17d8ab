"""What /openapi.json tells machines beyond FastAPI's own schema (SPEC 10.5).

- `operation_id`: every operation's id is `<tag>_<function name>` (`users_get_upline`),
  set once for the whole app (api/main.py), so ids do not move when a path does.
- The bearer scheme: API keys are sent as `Authorization: Bearer <key>` (api/auth.py);
  `bearerAuth` declares it, and every operation whose route checks a role (`auth.require`)
  requires it and names its roles in `x-roles`. /healthz, /readyz and /metrics need none.
- The event union: POST /v1/events reads its body itself, so that one bad event in a batch
  refuses only that event (api/routers/events.py); `EVENT_BODY` declares what it accepts,
  one event or an array of them, each one of the five event models of graph/ingest/events.py
  told apart by `type`, with the models as components.

A copy of the schema is kept in the repo as openapi.json (api/openapi_file.py).
"""

import re
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import TypeAdapter

from graph.ingest.events import Event

SECURITY_SCHEME = "bearerAuth"
BEARER: dict[str, Any] = {
    "type": "http",
    "scheme": "bearer",
    "description": "An API key of TIERGRAPH_API_KEYS or one made by POST /v1/apikeys, sent as "
                   "`Authorization: Bearer <key>`. Each operation names the roles it admits "
                   "in `x-roles` (admin is admitted everywhere).",
}
MAX_BATCH = 10_000  # SPEC 3; TIERGRAPH_MAX_BATCH_EVENTS may lower it
EVENT_REF = {"$ref": "#/components/schemas/Event"}
_NOT_A_WORD = re.compile(r"[^0-9A-Za-z]+")

_AT = "2026-01-02T10:00:00+08:00"
EXAMPLE_EVENTS: list[dict[str, Any]] = [
    {"type": "user_registered", "user_id": "u0", "at": _AT},
    {"type": "user_registered", "user_id": "u1", "invited_by": "u0", "at": _AT, "level": 0,
     "phone": "+8613800000000"},
    {"type": "session", "user_id": "u1", "device_id": "d1", "ip": "203.0.113.7", "at": _AT},
    {"type": "order_paid", "order_id": "o1", "user_id": "u1", "amount_cents": 12900,
     "currency": "CNY", "items": [{"sku": "s1", "category": "beauty", "amount_cents": 12900}],
     "device_id": "d1", "ip": "203.0.113.7", "payment_account": "pa1",
     "shipping_address": "a1", "at": _AT},
    {"type": "order_refunded", "order_id": "o1", "refund_id": "r1", "amount_cents": 5000,
     "at": "2026-01-03T10:00:00+08:00"},
    {"type": "order_completed", "order_id": "o1", "at": "2026-01-09T10:00:00+08:00"},
    {"type": "user_level_changed", "user_id": "u0", "level": 2,
     "at": "2026-01-15T00:00:00+08:00"},
]

# The request body of POST /v1/events (its route's `openapi_extra`).
EVENT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "One event, or an array of up to 10,000 (TIERGRAPH_MAX_BATCH_EVENTS). "
                       "Each event is checked on its own: a refused one is answered in "
                       "`rejected` with its index and reason, and the others are kept.",
        "content": {
            "application/json": {
                "schema": {"oneOf": [
                    {"type": "array", "items": EVENT_REF, "maxItems": MAX_BATCH},
                    EVENT_REF,
                ]},
                "examples": {
                    "batch": {"summary": "A batch: two users, a session and an order",
                              "value": EXAMPLE_EVENTS[:4]},
                    "one": {"summary": "One event", "value": EXAMPLE_EVENTS[5]},
                    "refund": {"summary": "A partial refund", "value": [EXAMPLE_EVENTS[4]]},
                    "level": {"summary": "A member moves up a level",
                              "value": [EXAMPLE_EVENTS[6]]},
                },
            }
        },
    }
}


def operation_id(route: APIRoute) -> str:
    """`<first tag>_<function name>`, each reduced to letters, digits and `_`."""
    tag = str(route.tags[0]) if route.tags else "default"
    return f"{_NOT_A_WORD.sub('_', tag).strip('_')}_{route.name}"


def event_schemas() -> dict[str, Any]:
    """The event union and the models it names, as OpenAPI components (by model name)."""
    schema = TypeAdapter(Event).json_schema(ref_template="#/components/schemas/{model}")
    components: dict[str, Any] = schema.pop("$defs", {})
    components["Event"] = {"title": "Event", **schema}
    return components


def _roles(route: APIRoute) -> list[str] | None:
    """The roles a route admits (its `auth.require` dependency), or None when it has none."""
    for dependency in route.dependant.dependencies:
        roles = getattr(dependency.call, "roles", None)
        if roles is not None:
            return sorted(roles)
    return None


def install(app: FastAPI) -> None:
    """Add the bearer scheme (on the routes that check a role) and the event components to
    the schema the app serves."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        components = schema.setdefault("components", {})
        components.setdefault("securitySchemes", {})[SECURITY_SCHEME] = BEARER
        schemas = components.setdefault("schemas", {})
        for name, definition in event_schemas().items():
            if name in schemas and schemas[name] != definition:
                raise RuntimeError(f"two schemas are named {name!r}; rename one")
            schemas[name] = definition
        # each route as the app serves it (an included router's routes with their context)
        for context in iter_route_contexts(app.routes):
            route = context.original_route
            if not isinstance(route, APIRoute) or not context.include_in_schema:
                continue
            roles = _roles(route)
            if roles is None:
                continue
            for method in context.methods or ():
                operation = schema["paths"][context.path_format][method.lower()]
                operation["security"] = [{SECURITY_SCHEME: []}]
                operation["x-roles"] = roles
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]

