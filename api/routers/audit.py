"""The audit log (compliance, admin): hash-chained entries, oldest first.

Admin sees each entry as stored. Compliance sees key actors as the role and the key's label
(api.auth.public_actor), in `actor` and inside `before` / `after`: the fingerprints that
name keys stay with admin. The chain itself is checked by `tiergraph audit verify`.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.auth import ComplianceRole, shown
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
    next_after: int | None


@router.get("", response_model=AuditPage)
def get_audit(
    role: ComplianceRole,
    after: Annotated[int, Query(ge=0, le=2**63 - 1,  # Neo4j integers are 64-bit
                                description="Return entries with seq above this.")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Audit entries after `after`, oldest first (newest last); page on with next_after."""
    entries = trail.page(after, limit)
    if role != "admin":
        entries = [{**e, **{k: shown(e[k], role) for k in ("actor", "before", "after")}}
                   for e in entries]
    return {"entries": entries, "next_after": entries[-1]["seq"] if len(entries) == limit else None}
