"""Bearer keys with roles: 401 without a valid key, 403 for the wrong role.

Every route declares its roles through `require(...)`; `admin` may do everything.
"""

import hashlib
import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from api.ratelimit import retry_after
from graph.errors import DomainError
from graph.settings import get_settings
from graph.users import apikeys


def _role_for(key: str) -> str | None:
    """The role of a bootstrap key (TIERGRAPH_API_KEYS) or of a live run-time key."""
    for known, role in get_settings().api_key_roles().items():
        if hmac.compare_digest(known.encode(), key.encode()):
            return role
    if not key.isascii() or len(key) > 200:
        return None
    return apikeys.role_of(key)


def require(*roles: str) -> Callable[[Request], str]:
    """A dependency admitting the given roles (and admin); returns the caller's role."""
    allowed = frozenset(roles) | {"admin"}

    def check(request: Request) -> str:
        header = request.headers.get("authorization", "")
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise DomainError("unauthorized", "send Authorization: Bearer <key>", 401,
                              headers={"WWW-Authenticate": "Bearer"})
        role = _role_for(key.strip())
        if role is None:
            raise DomainError("unauthorized", "the API key is not valid", 401)
        if role not in allowed:
            raise DomainError("forbidden", (f"role {role!r} may not do this; "
                                            f"it needs one of {sorted(allowed)}"), 403)
        request.state.role = role
        # Who acted, for the audit log: the role and a fingerprint of the key, never the key.
        fingerprint = hashlib.sha256(key.strip().encode()).hexdigest()[:12]
        request.state.actor = f"{role}:{fingerprint}"
        wait = retry_after(fingerprint)
        if wait is not None:
            per_minute = get_settings().rate_limit_per_minute
            raise DomainError("rate-limited", f"more than {per_minute} requests a minute "
                              f"with this key; retry after {wait} s", 429,
                              headers={"Retry-After": str(wait)})
        return role

    check.roles = allowed  # type: ignore[attr-defined]  # read by the route-table test
    return check


MallRole = Annotated[str, Depends(require("mall"))]
RiskRole = Annotated[str, Depends(require("risk"))]
ComplianceRole = Annotated[str, Depends(require("compliance"))]
AdminRole = Annotated[str, Depends(require())]
