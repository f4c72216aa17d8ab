"""Team rewards (admin): create, list, retire, run a closed period as a job, read the
bonuses paid; a team bonus's certificate for compliance."""

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr
from starlette.concurrency import run_in_threadpool

from api.auth import AdminRole, ComplianceRole
from api.paging import CursorQuery, LimitQuery
from graph import jobs
from graph.errors import DomainError, not_found
from graph.ingest.events import Instant
from graph.money import team_bonuses, team_rewards

router = APIRouter(prefix="/v1/team-rewards", tags=["team rewards"])
REWARD_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
PERIOD = r"^\d{4}-(0[1-9]|1[0-2])$"
RUN_KIND = "team_rewards.run"


class TeamRewardIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Annotated[StrictStr, Field(pattern=REWARD_ID)]
    threshold_cents: Annotated[StrictInt, Field(ge=1, le=team_rewards.MAX_CENTS)]
    bonus_cents: Annotated[StrictInt, Field(ge=1, le=team_rewards.MAX_CENTS)] | None = None
    bonus_bp: Annotated[StrictInt, Field(ge=1, le=team_rewards.MAX_BP)] | None = None
    period: Literal["month"] = "month"
    # over the tier cap is refused with tier-limit (not a schema error): checked in graph/
    depth: Annotated[StrictInt, Field(ge=1, le=10)]
    category: Annotated[StrictStr, Field(pattern=r"^[a-z0-9_-]{1,40}$")] | None = None
    starts_at: Instant | None = None
    ends_at: Instant | None = None


class TeamRewardOut(BaseModel):
    id: str
    threshold_cents: int
    bonus_cents: int | None
    bonus_bp: int | None
    period: str
    depth: int
    category: str | None
    starts_at: str | None
    ends_at: str | None
    status: str
    created_at: str | None
    created_by: str | None
    retired_at: str | None


class TeamRewardList(BaseModel):
    team_rewards: list[TeamRewardOut]


class RunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    period: Annotated[StrictStr, Field(pattern=PERIOD, description="a China month, YYYY-MM")]


class TeamRunAccepted(BaseModel):
    job_id: str
    status: str


class TeamRunOut(BaseModel):
    job_id: str
    kind: str
    params: dict[str, Any]
    status: Literal["queued", "running", "succeeded", "failed"]
    result: dict[str, Any] | None
    error: str | None
    created_at: str
    finished_at: str | None


class TeamBonus(BaseModel):
    rebate_id: str
    leader: str
    period: str
    team_sales_cents: int
    team_orders: int
    amount_cents: int
    original_cents: int
    status: str
    reason: str | None


class TeamBonusPage(BaseModel):
    items: list[TeamBonus]
    next_cursor: str | None


class TeamCountedOrder(BaseModel):
    order_id: str
    cents: int
    path: list[str] | None  # buyer first, up to the leader; null: not within the depth


class TeamBonusCertificate(BaseModel):
    rebate_id: str
    leader: str
    depth: int
    max_tiers: int
    amount_cents: int
    orders: list[TeamCountedOrder]
    within_cap: bool


@router.post("", status_code=201, response_model=TeamRewardOut)
async def post_team_reward(body: TeamRewardIn, request: Request,
                           role: AdminRole) -> dict[str, Any]:
    """Create a team reward; a depth over the tier cap is 422 tier-limit, nothing stored."""
    if body.starts_at and body.ends_at and body.ends_at <= body.starts_at:
        raise DomainError("validation", "ends_at must come after starts_at")
    reward = body.model_dump(mode="json")
    return await run_in_threadpool(
        lambda: team_rewards.create(reward, actor=request.state.actor, role=role,
                                    request_id=request.state.request_id))


@router.get("", response_model=TeamRewardList)
def get_team_rewards(_: AdminRole) -> dict[str, Any]:
    """Every team reward, newest first."""
    return {"team_rewards": team_rewards.list_all()}


@router.delete("/{reward_id}", status_code=204)
def delete_team_reward(reward_id: str, request: Request, role: AdminRole) -> Response:
    """Retire a team reward: it counts no order paid from now on; the change is audited."""
    if team_rewards.retire(reward_id, actor=request.state.actor, role=role,
                           request_id=request.state.request_id) is None:
        raise not_found(f"team reward {reward_id!r}")
    return Response(status_code=204)


@router.post("/{reward_id}/runs", status_code=202, response_model=TeamRunAccepted)
def start_run(reward_id: str, body: RunIn, request: Request, role: AdminRole) -> dict[str, Any]:
    """Pay a closed period's bonuses now, as a job (GET .../runs/{job_id}); the same run
    while one is queued or running answers that one. Paying twice pays once."""
    from workers import enqueue

    if team_rewards.get(reward_id) is None:
        raise not_found(f"team reward {reward_id!r}")
    team_rewards.check_closed(body.period, datetime.now(UTC))
    job = jobs.start(f"{RUN_KIND}:{reward_id}:{body.period}",
                     {"team_reward_id": reward_id, "period": body.period},
                     lambda job_id: enqueue.send(RUN_KIND, [job_id, reward_id, body.period,
                                                            request.state.actor, role]))
    return {"job_id": job["job_id"], "status": job["status"]}


@router.get("/{reward_id}/runs/{job_id}", response_model=TeamRunOut)
def get_run(reward_id: str, job_id: str, _: AdminRole) -> dict[str, Any]:
    """A run's status and, once done, what it paid."""
    job = jobs.get(job_id) if len(job_id) <= 64 else None
    if job is None or job["kind"].rsplit(":", 1)[0] != f"{RUN_KIND}:{reward_id}":
        raise not_found(f"team reward run {job_id!r} (runs are kept a week)")
    return job


@router.get("/{reward_id}/bonuses", response_model=TeamBonusPage)
def get_bonuses(reward_id: str, _: AdminRole, limit: LimitQuery = 100,
                cursor: CursorQuery = None,
                period: Annotated[str | None, Query(pattern=PERIOD)] = None) -> dict[str, Any]:
    """The bonuses a reward paid (of one period), by period then leader."""
    if team_rewards.get(reward_id) is None:
        raise not_found(f"team reward {reward_id!r}")
    return team_bonuses.bonuses(reward_id, period, limit, cursor)


@router.get("/bonuses/{rebate_id}/certificate", response_model=TeamBonusCertificate)
def get_certificate(rebate_id: str, _: ComplianceRole) -> dict[str, Any]:
    """A team bonus's evidence: each order it counted with the invite path from its buyer
    up to the leader, and whether all lie within the tier cap."""
    found = team_bonuses.certificate(rebate_id)
    if found is None:
        raise not_found(f"team bonus {rebate_id!r}")
    return found
