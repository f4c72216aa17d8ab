"""The risk team's API: detection jobs, ranked rings, one ring drawn, decisions, one user,
and the ring models learned from decisions (training jobs, versions, the active one)."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr
from starlette.concurrency import run_in_threadpool

from api.auth import RiskRole, ShownActor
from api.paging import CursorQuery, LimitQuery
from graph import jobs
from graph.errors import not_found
from graph.risk import decisions, model_store, reads

router = APIRouter(prefix="/v1", tags=["risk"])


class DetectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seed: Annotated[StrictInt, Field(ge=0, le=2**31 - 1)] = 0
    full: StrictBool = False  # every component, not only those touched since the last run


class JobAccepted(BaseModel):
    job_id: str
    status: str


class JobOut(BaseModel):
    job_id: str
    kind: str
    status: Literal["queued", "running", "succeeded", "failed"]
    progress: float
    stage: str | None
    result: dict[str, Any] | None
    error: str | None
    created_at: str
    finished_at: str | None


class Driver(BaseModel):
    """An input's part of the score's logit: a feature (or the rule score's logit) and its
    value, times its weight."""

    feature: str
    value: float
    contribution: float


class RingMoney(BaseModel):
    """Cash of the ring: rebates of orders its members placed, held or credited, and what
    its members withdrew."""

    held_cents: int
    credited_cents: int
    withdrawn_cents: int


class RingSummary(BaseModel):
    ring_id: str
    score: float  # the active model's when model_version is a number, else the rule score
    status: str
    size: int
    members: list[str]
    reasons: list[str]
    rule_score: float | None = None  # None on rings stored before rule scores were kept
    model_version: int | Literal["rules"] | None = None
    drivers: list[Driver] = []
    money: RingMoney | None = None  # in the list; the ring's page shows `held` per kind


class RingList(BaseModel):
    rings: list[RingSummary]
    next_cursor: str | None


class HeldMoney(BaseModel):
    cents: int
    rebates: int


class Subgraph(BaseModel):
    """Nodes and edges to draw: members and outsiders (User), the identifiers members share,
    the members' latest orders (Order, PLACED) and the rebates each earned (EARNS, order to
    beneficiary, with tier, amount and status); `orders_drawn` of `orders_placed`."""

    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    orders_drawn: int = 0
    orders_placed: int = 0


class RingOut(RingSummary):
    features: dict[str, float]
    held: dict[str, HeldMoney]
    detected_at: str | None
    decision: str | None
    decided_by: ShownActor | None  # a key's fingerprint only to admin
    decided_at: str | None
    note: str | None
    subgraph: Subgraph | None = None
    rebates_changed: int | None = None


class DecisionMoney(BaseModel):
    voided_cents: int
    clawed_back_cents: int
    debt_cents: int


class RingDecisionOut(RingOut, DecisionMoney):
    """The decided ring, with the money the decision moved: cash at the top level, each
    kind (points in points) in `by_kind`."""

    rebates_changed: int
    by_kind: dict[str, DecisionMoney]


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["confirm", "dismiss"]
    note: Annotated[StrictStr, Field(max_length=2000)] | None = None


class RiskModelOut(BaseModel):
    """A stored ring model: its training figures (cross-validated, beside the rules') and
    parameters; `accepted` when it was not worse than the rules, `active` while it scores."""

    version: int
    trained_at: str | None
    trained_by: ShownActor | None
    labels: int
    positives: int
    active: bool
    accepted: bool
    reason: str | None
    metrics: dict[str, Any]
    params: dict[str, Any]


class RiskModelPage(BaseModel):
    items: list[RiskModelOut]
    next_cursor: str | None


class SignalOut(BaseModel):
    code: str
    detail: str
    evidence: list[str]
    weight: float


class UserRiskOut(BaseModel):
    user_id: str
    score: float
    signals: list[SignalOut]
    ring_id: str | None
    ring_score: float | None
    hold: str | None
    hold_score: float
    cleared: bool


class UserDecisionOut(UserRiskOut, DecisionMoney):
    decision: Literal["confirm", "dismiss"]
    rebates_changed: int
    by_kind: dict[str, DecisionMoney]


@router.post("/risk/detect", status_code=202, response_model=JobAccepted)
def start_detection(request: Request, _: RiskRole,
                    body: DetectIn | None = None) -> dict[str, Any]:
    """Queue a ring-detection run; follow it at GET /v1/jobs/{job_id}. It detects the
    components touched since the last run only, unless `full` (or its first run). While one
    is queued or running, the answer is that job (one run at a time). A 503 when it cannot be
    queued."""
    from workers import enqueue

    seed, full = (body.seed, body.full) if body else (0, False)
    actor = request.state.actor
    job = jobs.start("risk.detect", {"seed": seed, "full": full},
                     lambda job_id: enqueue.send("risk.detect", [job_id, seed, actor, full]))
    return {"job_id": job["job_id"], "status": job["status"]}


@router.post("/risk/models", status_code=202, response_model=JobAccepted)
def start_training(request: Request, _: RiskRole) -> dict[str, Any]:
    """Queue the training of a ring model on the decided rings; follow it at
    GET /v1/jobs/{job_id} (its result names the version, labels, figures and whether it was
    activated). While one is queued or running, the answer is that job. A 503 when it cannot
    be queued."""
    from workers import enqueue

    actor = request.state.actor
    job = jobs.start("risk.train_model", {},
                     lambda job_id: enqueue.send("risk.train_model", [job_id, actor]))
    return {"job_id": job["job_id"], "status": job["status"]}


@router.get("/risk/models", response_model=RiskModelPage)
def list_models(
    _: RiskRole,
    limit: LimitQuery = 100,
    cursor: CursorQuery = None,
) -> dict[str, Any]:
    """Stored ring models, newest first, a page at a time; rejected candidates included."""
    return model_store.page(limit, cursor)


@router.get("/risk/models/active", response_model=RiskModelOut)
def get_active_model(_: RiskRole) -> dict[str, Any]:
    """The model scoring rings; a 404 while none is (the rules score: model_version
    "rules")."""
    found = model_store.get_active()
    if found is None:
        raise not_found('active ring model: rings are scored by the rules (model_version "rules")')
    return found


@router.get("/jobs/{job_id}", response_model=JobOut)
def get_job(job_id: str, _: RiskRole) -> dict[str, Any]:
    """A job's status, stage, progress and, once done, its result or error."""
    job = jobs.get(job_id) if len(job_id) <= 64 else None
    if job is None:
        raise not_found(f"job {job_id!r} (jobs are kept a week)")
    return job


@router.get("/risk/rings", response_model=RingList)
def get_rings(
    _: RiskRole,
    min_score: Annotated[float, Query(ge=0, le=1)] = 0.0,
    limit: LimitQuery = 100,
    status: Literal["open", "confirmed", "dismissed", "lapsed"] | None = None,
    cursor: CursorQuery = None,
) -> dict[str, Any]:
    """Rings at or above min_score, highest score first, a page at a time, each with its
    money."""
    found = reads.page_rings(min_score, limit, status, cursor)
    return {"rings": found["items"], "next_cursor": found["next_cursor"]}


@router.get("/risk/rings/{ring_id}", response_model=RingOut)
def get_ring(ring_id: str, _: RiskRole) -> dict[str, Any]:
    """One ring: members, reasons and features, held money and the subgraph to draw."""
    ring = reads.get_ring(ring_id)
    if ring is None:
        raise not_found(f"ring {ring_id!r}")
    return ring


@router.post("/risk/rings/{ring_id}/decision", response_model=RingDecisionOut)
async def decide_ring(ring_id: str, body: DecisionIn, request: Request,
                      role: RiskRole) -> dict[str, Any]:
    """confirm voids what the members' orders earned (ring_confirmed) and claws back what
    was credited, leaving a debt where it was withdrawn; dismiss releases held rebates to
    the status they would have had. Only an open ring is decided (409). Audited."""
    return await run_in_threadpool(decisions.decide, ring_id, body.decision, body.note,
                                   request.state.actor, role, request.state.request_id)


@router.get("/risk/users/{user_id}", response_model=UserRiskOut)
def get_user_risk(user_id: str, _: RiskRole) -> dict[str, Any]:
    """A user's risk signals (code, sentence, evidence), score and ring."""
    found = reads.user_risk(user_id)
    if found is None:
        raise not_found(f"user {user_id!r}")
    return found


@router.post("/risk/users/{user_id}/decision", response_model=UserDecisionOut)
async def decide_user(user_id: str, body: DecisionIn, request: Request,
                      role: RiskRole) -> dict[str, Any]:
    """confirm voids every rebate of the user's orders not yet credited, and those computed
    later (ring_confirmed), and claws back those credited; dismiss releases what the user's
    own signals held and stops them holding again (a ring's holds wait for the ring's
    decision). Audited with the note."""
    return await run_in_threadpool(decisions.decide_user, user_id, body.decision, body.note,
                                   request.state.actor, role, request.state.request_id)
