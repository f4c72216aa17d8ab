"""Rebate rules (admin): create and list. Every creation is audited."""

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr
from starlette.concurrency import run_in_threadpool

from api.auth import AdminRole
from graph.errors import DomainError, not_found
from graph.ingest.events import ID_PATTERN, Instant
from graph.rules.book import check_tiers, create_rule, list_rules, retire_rule
from graph.rules.maths import MAX_BUDGET_CENTS, MAX_WINDOW_DAYS, Rule
from graph.rules.simulation import simulate

router = APIRouter(prefix="/v1/rules", tags=["rules"])


class RuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Annotated[StrictStr, Field(pattern=ID_PATTERN)]
    tiers: Annotated[list[StrictInt], Field(min_length=1, max_length=10)]
    kind: Literal["cash", "points"] = "cash"
    category: Annotated[StrictStr, Field(pattern=r"^[a-z0-9_-]{1,40}$")] | None = None
    starts_at: Instant | None = None
    ends_at: Instant | None = None
    priority: Annotated[StrictInt, Field(ge=-1000, le=1000)] = 0
    level_bonus_bp: Annotated[StrictInt, Field(ge=0, le=10000)] = 0
    # per-rule settlement (None: TIERGRAPH_RETURN_WINDOW_DAYS / _SETTLEMENT_DELAY_DAYS)
    return_window_days: Annotated[StrictInt, Field(ge=0, le=MAX_WINDOW_DAYS)] | None = None
    settlement_delay_days: Annotated[StrictInt, Field(ge=0, le=MAX_WINDOW_DAYS)] | None = None
    # a campaign's budget, in the unit of its kind (None: no budget)
    budget_cents: Annotated[StrictInt, Field(ge=0, le=MAX_BUDGET_CENTS)] | None = None


class RuleOut(BaseModel):
    id: str
    tiers: list[int]
    kind: str
    category: str | None
    starts_at: str | None
    ends_at: str | None
    priority: int
    level_bonus_bp: int
    status: str
    created_at: str | None
    created_by: str | None
    return_window_days: int | None = None
    settlement_delay_days: int | None = None
    budget_cents: int | None = None
    spent_cents: int | None = None  # what the campaign has paid (None without a budget)


class RuleList(BaseModel):
    rules: list[RuleOut]


@router.post("", status_code=201, response_model=RuleOut)
async def post_rule(body: RuleIn, request: Request, role: AdminRole) -> dict[str, Any]:
    """Create a rule; more tiers than the cap is 422 tier-limit, bad rates 422 rate-limit."""
    if body.starts_at and body.ends_at and body.ends_at <= body.starts_at:
        raise DomainError("validation", "ends_at must come after starts_at")
    rule = body.model_dump(mode="json")
    return await run_in_threadpool(
        lambda: create_rule(rule, actor=request.state.actor, role=role,
                            request_id=request.state.request_id))


@router.get("", response_model=RuleList)
def get_rules(_: AdminRole) -> dict[str, Any]:
    """Every rule, newest first (the default rule included)."""
    return {"rules": list_rules()}


class SimulationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    rule: RuleIn
    start: Annotated[Instant, Field(alias="from")]
    end: Annotated[Instant, Field(alias="to")]


class SimulationOut(BaseModel):
    orders: int
    kind: str
    per_tier_cents: list[int]
    total_cents: int
    current_per_tier_cents: list[int]
    current_total_cents: int
    vs_current_cents: int
    elapsed_ms: float


@router.post("/simulate", response_model=SimulationOut)
async def simulate_rule(body: SimulationIn, _: AdminRole) -> dict[str, Any]:
    """Replay [from, to)'s orders under a draft rule beside the rules in force; writes nothing."""
    if body.end <= body.start:
        raise DomainError("validation", "to must come after from")
    draft = body.rule
    check_tiers(draft.tiers)
    rule = Rule(id=draft.id, tiers=tuple(draft.tiers), kind=draft.kind, category=draft.category,
                starts_at=draft.starts_at, ends_at=draft.ends_at, priority=draft.priority,
                created_at=datetime.now(body.start.tzinfo), level_bonus_bp=draft.level_bonus_bp,
                return_window_days=draft.return_window_days,
                settlement_delay_days=draft.settlement_delay_days,
                budget_cents=draft.budget_cents)
    return await run_in_threadpool(simulate, rule, body.start, body.end)


@router.delete("/{rule_id}", status_code=204)
def delete_rule(rule_id: str, request: Request, role: AdminRole) -> Response:
    """Retire a rule: it stops paying new orders; the change is audited."""
    if retire_rule(rule_id, actor=request.state.actor, role=role,
                   request_id=request.state.request_id) is None:
        raise not_found(f"rule {rule_id!r}")
    return Response(status_code=204)
