"""The one domain error: a refusal with an HTTP status, a kind and a sentence.

Domain code raises it wherever a request may not be carried out (a withdrawal over the
balance, a rule over the tier cap, a decision on a decided ring); the API renders it as
application/problem+json with `kind` as the problem type, the CLI prints the detail.
"""

from typing import Any


class DomainError(Exception):
    """A refusal: `kind` names it (`insufficient-balance`, `tier-limit`, `conflict`, ...),
    `status` is the HTTP status, `headers` what the answer carries besides (Retry-After),
    `extra` adds members to the problem body (`reason`, `errors`)."""

    def __init__(self, kind: str, detail: str, status: int = 422, *,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.kind, self.detail, self.status = kind, detail, status
        self.headers, self.extra = headers, extra


def refused(reason: str, detail: str, status: int = 422) -> DomainError:
    """A refusal named by a reason code (`insufficient_balance`): the problem type is the
    code in kebab case, and the body carries the code as `reason` too."""
    return DomainError(reason.replace("_", "-"), detail, status, reason=reason)


def not_found(what: str) -> DomainError:
    """The 404 for an unknown id: `not_found(f"ring {ring_id!r}")`."""
    return DomainError("not-found", f"no {what}", 404)


def conflict(detail: str) -> DomainError:
    """The 409 for a request that clashes with what is stored."""
    return DomainError("conflict", detail, 409)
