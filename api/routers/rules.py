"""Rebate rules (admin): create and list. Every creation is audited."""

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, StrictStr
from starlette.concurrency import run_in_threadpool

from api.auth import AdminRole
from api.errors import Problem
from graph.events import ID_PATTERN
from graph.rulebook import RuleRefused, create_rule, list_rules

router = APIRouter(prefix="/v1/rules", tags=["rules"])


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.utcoffset() is None:
        raise ValueError("time must carry an offset, e.g. 2026-06-18T00:00:00+08:00")
    return value


class RuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Annotated[StrictStr, Field(pattern=ID_PATTERN)]
    tiers: Annotated[list[StrictInt], Field(min_length=1, max_length=10)]
    kind: Literal["cash", "points"] = "cash"
    category: Annotated[StrictStr, Field(pattern=r"^[a-z0-9_-]{1,40}$")] | None = None
    starts_at: Annotated[datetime | None, AfterValidator(_aware)] = None
    ends_at: Annotated[datetime | None, AfterValidator(_aware)] = None
    priority: Annotated[StrictInt, Field(ge=-1000, le=1000)] = 0


class RuleOut(BaseModel):
    id: str
    tiers: list[int]
    kind: str
    category: str | None
    starts_at: str | None
    ends_at: str | None
    priority: int
    status: str
    created_at: str | None
    created_by: str | None


class RuleList(BaseModel):
    rules: list[RuleOut]


@router.post("", status_code=201, response_model=RuleOut)
async def post_rule(body: RuleIn, request: Request, role: AdminRole) -> dict[str, Any]:
    """Create a rule; more tiers than the cap is 422 tier-limit, bad rates 422 rate-limit."""
    if body.starts_at and body.ends_at and body.ends_at <= body.starts_at:
        raise Problem(422, "validation", "ends_at must come after starts_at")
    rule = body.model_dump(mode="json")
    try:
        return await run_in_threadpool(
            lambda: create_rule(rule, actor=request.state.actor, role=role,
                                request_id=request.state.request_id))
    except RuleRefused as refused:
        status = 409 if refused.kind == "conflict" else 422
        raise Problem(status, refused.kind, refused.detail,
                      errors=[{"type": k, "msg": m} for k, m in refused.problems]) from None


@router.get("", response_model=RuleList)
def get_rules(_: AdminRole) -> dict[str, Any]:
    """Every rule, newest first (the default rule included)."""
    return {"rules": list_rules()}
