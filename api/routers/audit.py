"""The audit log (compliance, admin): hash-chained entries, oldest first.

Admin sees each entry as stored. Compliance sees key actors as the role and the key's label
(api.auth.public_actor), in `actor` and inside `before` / `after`: the fingerprints that
name keys stay with admin. The chain itself is checked by `tiergraph audit verify`.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.auth import ComplianceRole, shown
from api.paging import CursorQuery, LimitQuery
from graph import paging
from graph.audit import trail

router = APIRouter(prefix="/v1/audit", tags=["audit"])


class AuditEntry(BaseModel):
    seq: int
    actor: str
    role: str
    action: str
    target: str
    before: Any
    after: Any
    at: str
    request_id: str | None
    caller_request_id: str | None = None
    prev_hash: str
    hash: str


class AuditPage(BaseModel):
    entries: list[AuditEntry]
    next_after: int | None  # the older way to page on: after=next_after
    next_cursor: str | None


@router.get("", response_model=AuditPage)
def get_audit(
    role: ComplianceRole,
    after: Annotated[int, Query(ge=0, le=2**63 - 1,  # Neo4j integers are 64-bit
                                description="Return entries with seq above this.")] = 0,
    limit: LimitQuery = 100,
    cursor: CursorQuery = None,
) -> dict[str, Any]:
    """Audit entries oldest first (newest last), after the cursor's entry (or after seq
    `after`); page on with next_cursor."""
    found = trail.page(paging.decode(cursor, _seq) or after, limit + 1)
    more, entries = len(found) > limit, found[:limit]
    if role != "admin":
        entries = [{**e, **{k: shown(e[k], role) for k in ("actor", "before", "after")}}
                   for e in entries]
    last = entries[-1]["seq"] if more else None
    return {"entries": entries, "next_after": last,
            "next_cursor": paging.encode([last]) if more else None}


def _seq(keys: list[Any]) -> int:
    """The sequence number an audit cursor carries."""
    [seq] = keys
    if type(seq) is not int or seq < 0:
        raise ValueError("not an audit key")
    return seq
