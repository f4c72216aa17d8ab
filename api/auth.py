"""Bearer keys with roles: 401 without a valid key, 403 for the wrong role, 429 over a limit.

Every route declares its roles through `require(...)`; `admin` may do everything. Keys are
checked from memory (the bootstrap keys of TIERGRAPH_API_KEYS, the run-time keys' map of
graph/users/apikeys.py), and the caller's address is rate limited before its key counts
(api/ratelimit.py, in memory too). The check runs on the event loop: only when the run-time
keys' map is due to be read again does it go to a thread, which reads it.
Audit actors name a key by its fingerprint (`role:fingerprint`); roles other than admin are
shown the role and the key's label instead (`shown_actor`).
"""

import hmac
import re
from collections.abc import Awaitable, Callable
from contextvars import ContextVar, Token
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import PlainSerializer
from starlette.concurrency import run_in_threadpool

from api import ratelimit
from graph.errors import DomainError
from graph.settings import ROLES, Settings, get_settings
from graph.users import apikeys

MAX_KEY_CHARS = 200
KEY_ACTOR = re.compile(rf"^({'|'.join(ROLES)}):([0-9a-f]{{{apikeys.FINGERPRINT_CHARS}}})$")
# The role of the caller being answered, for the answer's serialisation (ShownActor). A dict
# bound per request by api.main and filled in by `require`: the route may run in another
# thread, with a copy of the context, but the dict is the same one.
_viewer: ContextVar[dict[str, str] | None] = ContextVar("api_viewer", default=None)


def bind_viewer() -> Token[dict[str, str] | None]:
    """Start a request: its caller's role is not known yet."""
    return _viewer.set({})


def unbind_viewer(token: Token[dict[str, str] | None]) -> None:
    """End what `bind_viewer` began."""
    _viewer.reset(token)


# The bootstrap keys as bytes, parsed once per settings object (tests replace the settings).
_bootstrap: tuple[Settings | None, tuple[tuple[bytes, str], ...]] = (None, ())


def _bootstrap_keys() -> tuple[tuple[bytes, str], ...]:
    global _bootstrap
    settings = get_settings()
    if _bootstrap[0] is not settings:
        _bootstrap = (settings, tuple((key.encode(), role)
                                      for key, role in settings.api_key_roles().items()))
    return _bootstrap[1]


async def _role_for(key: str) -> str | None:
    """The role of a bootstrap key or of a live run-time key, from memory (a thread reads
    the run-time keys when their map is due to be read again)."""
    if not key:
        return None
    given = key.encode()
    for known, role in _bootstrap_keys():
        if hmac.compare_digest(known, given):
            return role
    if not key.isascii() or len(key) > MAX_KEY_CHARS:  # no run-time key looks like this
        return None
    if apikeys.is_current():
        return apikeys.role_of(key)
    return await run_in_threadpool(apikeys.role_of, key)


def _address(request: Request) -> str:
    # The peer's address as the server sees it; behind a proxy, uvicorn's
    # --forwarded-allow-ips makes it the client's.
    return request.client.host if request.client else "unknown"


def require(*roles: str) -> Callable[[Request], Awaitable[str]]:
    """A dependency admitting the given roles (and admin); returns the caller's role."""
    allowed = frozenset(roles) | {"admin"}

    async def check(request: Request) -> str:
        header = request.headers.get("authorization", "")
        scheme, _, key = header.partition(" ")
        key = key.strip() if scheme.lower() == "bearer" else ""
        role = await _role_for(key)
        fingerprint = apikeys.fingerprint(key) if role is not None else None
        # The address is judged first: a caller over its limit learns nothing of its key.
        limited = ratelimit.count(_address(request), fingerprint)
        if limited is not None:
            whose = "from this address" if limited.by == "address" else "with this key"
            raise DomainError("rate-limited", f"more than {limited.limit} requests a minute "
                              f"{whose}; retry after {limited.retry_after} s", 429,
                              headers={"Retry-After": str(limited.retry_after)})
        if not key:
            raise DomainError("unauthorized", "send Authorization: Bearer <key>", 401,
                              headers={"WWW-Authenticate": "Bearer"})
        if role is None:
            raise DomainError("unauthorized", "the API key is not valid", 401)
        if role not in allowed:
            raise DomainError("forbidden", (f"role {role!r} may not do this; "
                                            f"it needs one of {sorted(allowed)}"), 403)
        request.state.role = role
        # Who acted, for the audit log: the role and a fingerprint of the key, never the key.
        request.state.actor = f"{role}:{fingerprint}"
        viewer = _viewer.get()
        if viewer is not None:
            viewer["role"] = role
        return role

    check.roles = allowed  # type: ignore[attr-defined]  # read by the route-table test
    return check


def _bootstrap_labels() -> dict[str, str]:
    return {apikeys.fingerprint(key.decode()): role for key, role in _bootstrap_keys()}


def public_actor(actor: str) -> str:
    """An actor as roles other than admin see it: a key's fingerprint becomes the key's
    label (`mall:shop backend`), `bootstrap key` for one of TIERGRAPH_API_KEYS, `retired
    key` for one no longer known; other actors (`cli:<user>`, `beat:settlement`) unchanged."""
    named = KEY_ACTOR.match(actor)
    if named is None:
        return actor
    role, key_fingerprint = named.groups()
    runtime = apikeys.label_of(key_fingerprint)
    if runtime is not None:
        return f"{role}:{runtime[1]}"
    return f"{role}:bootstrap key" if key_fingerprint in _bootstrap_labels() else \
        f"{role}:retired key"


def shown(value: Any, viewer_role: str | None) -> Any:
    """`value` (an actor, or JSON holding actors) as `viewer_role` may see it: unchanged for
    admin, with every key actor made public (`public_actor`) for anyone else."""
    if viewer_role == "admin":
        return value
    if isinstance(value, str):
        return public_actor(value) if KEY_ACTOR.match(value) else value
    if isinstance(value, list):
        return [shown(v, viewer_role) for v in value]
    if isinstance(value, dict):
        return {k: shown(v, viewer_role) for k, v in value.items()}
    return value


def _shown_to_viewer(value: Any) -> Any:
    return shown(value, (_viewer.get() or {}).get("role"))


# A response field holding an actor (or actors): answered as the caller's role may see it.
ShownActor = Annotated[str, PlainSerializer(_shown_to_viewer)]

MallRole = Annotated[str, Depends(require("mall"))]
RiskRole = Annotated[str, Depends(require("risk"))]
# What a risk analyst reads beside the mall: a user, its upline and downline, its rebates
# and balance (read only; writes stay the mall's).
MallOrRiskRole = Annotated[str, Depends(require("mall", "risk"))]
ComplianceRole = Annotated[str, Depends(require("compliance"))]
AdminRole = Annotated[str, Depends(require())]
