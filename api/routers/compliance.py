"""Compliance: the tier report (current, stored, runs) and rebate path certificates."""

import itertools
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from api.auth import ComplianceRole
from api.paging import CursorQuery, LimitQuery
from graph import compliance_export, compliance_reports, jobs
from graph.errors import not_found, refused
from graph.money import rebates

router = APIRouter(prefix="/v1/compliance", tags=["compliance"])


class RebatePath(BaseModel):
    rebate_id: str
    order_id: str | None  # null for a team bonus (its orders: /v1/team-rewards certificate)
    tier: int
    kind: str
    amount_cents: int
    beneficiary: str
    path: list[str]
    paid_at: datetime


class Violation(BaseModel):
    code: str
    count: int
    detail: str
    examples: list[str]


class TierReport(BaseModel):
    """The report's fields since the first release (outside tools read them)."""

    max_tiers: int
    legal_max_tiers: int
    max_paid_tier: int
    rebates_checked: int
    violations: list[Violation]
    rules_checked: int
    rules_over_limit: list[str]
    users_checked: int
    invite_cycles: int
    invite_cycle_examples: list[str]
    multiple_inviters: int
    multiple_inviter_examples: list[str]
    compliant: bool
    generated_at: str
    digest: str
    # since team rewards: absent from reports stored before them (their digest stands)
    team_bonuses_checked: int = 0
    team_rewards_checked: int = 0


class SinceReport(BaseModel):
    rebates_checked: int
    users_checked: int


class Pending(BaseModel):
    rebates: int
    invites: int


class CurrentTierReport(TierReport):
    """The latest stored report (report_id, its digest and time) brought up to date: what
    was created since it covered is checked in this answer (since_report), up to a bound;
    what is left is counted in `pending` (a run was then queued: run_job_id), and
    covers_until is the instant before which everything created is checked. The digest
    covers all of the answer."""

    report_id: str
    report_digest: str
    report_generated_at: str
    covers_until: str
    since_report: SinceReport
    pending: Pending
    run_job_id: str | None


class StoredTierReport(TierReport):
    """A run's report as stored: it covers what was created before covers_until. A `full`
    run verified the whole graph; a `catch_up` run added what was created after the report
    it is based_on."""

    report_id: str
    kind: Literal["full", "catch_up"]
    based_on: str | None
    trigger: str
    started_at: str
    covers_until: str


class ReportCounts(BaseModel):
    rebates_checked: int
    users_checked: int
    rules_checked: int
    violations: int
    rules_over_limit: int
    invite_cycles: int
    multiple_inviters: int


class ReportSummary(BaseModel):
    id: str
    generated_at: str
    covers_until: str
    trigger: str
    kind: str
    digest: str
    compliant: bool
    max_paid_tier: int
    counts: ReportCounts


class ReportPage(BaseModel):
    items: list[ReportSummary]
    next_cursor: str | None


class RunAccepted(BaseModel):
    job_id: str
    status: str


class RunOut(BaseModel):
    job_id: str
    kind: str
    params: dict[str, Any]  # trigger and mode (full or catch_up)
    status: Literal["queued", "running", "succeeded", "failed"]
    progress: float
    stage: str | None
    result: dict[str, Any] | None
    error: str | None
    created_at: str
    finished_at: str | None


def _start_run(trigger: str, mode: str, actor: str, role: str) -> dict[str, Any]:
    """The run under way, or a new one queued for the worker (503 when it cannot be)."""
    from workers import enqueue

    return jobs.start(compliance_reports.KIND, {"trigger": trigger, "mode": mode},
                      lambda job_id: enqueue.send(compliance_reports.KIND,
                                                  [job_id, actor, role, trigger, False, mode]))


@router.get("/tier-report", response_model=CurrentTierReport)
def get_tier_report(request: Request, role: ComplianceRole) -> dict[str, Any]:
    """The latest verified report brought up to date, with a digest over the answer; a
    catch-up run is queued when it falls behind. With no report yet, one is made now on a
    small graph; on a large one a run is queued and the answer is a 503 `report-pending`
    naming it."""
    actor = request.state.actor
    return compliance_reports.current(
        actor, role, lambda: str(_start_run("catch_up", "catch_up", actor, role)["job_id"]))


@router.post("/tier-report/runs", status_code=202, response_model=RunAccepted)
def start_run(request: Request, role: ComplianceRole) -> dict[str, Any]:
    """Queue a full verification of the graph, which stores a new report; follow it at GET
    /v1/compliance/tier-report/runs/{job_id}. While one is queued or running, the answer is
    that run. A 503 when it cannot be queued."""
    job = _start_run("api", "full", request.state.actor, role)
    return {"job_id": job["job_id"], "status": job["status"]}


@router.get("/tier-report/runs/{job_id}", response_model=RunOut)
def get_run(job_id: str, _: ComplianceRole) -> dict[str, Any]:
    """A run's status, stage and progress and, once done, its report's id and digest."""
    job = jobs.get(job_id) if len(job_id) <= 64 else None
    if job is None or job["kind"] != compliance_reports.KIND:
        raise not_found(f"tier report run {job_id!r} (runs are kept a week)")
    return job


@router.get("/tier-reports", response_model=ReportPage)
def list_reports(
    _: ComplianceRole,
    limit: LimitQuery = 100,
    cursor: CursorQuery = None,
) -> dict[str, Any]:
    """Stored reports newest first, each with its digest and counts."""
    return compliance_reports.page(limit, cursor)


class ReportCheck(BaseModel):
    """A saved report checked: `intact` when its content is what its digest covers;
    `matches_stored` when the stored report it names (`report_id`) has the digest the saved
    copy claims for it, None when it names none stored here."""

    intact: bool
    claimed_digest: str
    computed_digest: str
    report_id: str | None
    stored_digest: str | None
    matches_stored: bool | None


@router.post("/tier-reports/verify", response_model=ReportCheck)
def verify_report(saved: dict[str, Any], _: ComplianceRole) -> dict[str, Any]:
    """Check a saved tier report (as GET /v1/compliance/tier-report or
    /v1/compliance/tier-reports/{id} answered it) against its digest and against the stored
    report it names; what `tiergraph report verify` does with a file."""
    return compliance_reports.verify(saved)


@router.get("/tier-reports/{report_id}", response_model=StoredTierReport,
            response_model_exclude_unset=True)
def get_report(report_id: str, _: ComplianceRole) -> dict[str, Any]:
    """A stored report whole, as digested: `tiergraph report verify` checks a saved copy."""
    return compliance_reports.get(report_id)


@router.get("/rebates/{rebate_id}/path", response_model=RebatePath)
def get_rebate_path(rebate_id: str, _: ComplianceRole) -> dict[str, Any]:
    """The invite path a rebate was paid along, as the graph stood at payment."""
    found = rebates.rebate_path(rebate_id)
    if found is None:
        raise not_found(f"rebate {rebate_id!r}")
    return found


def _utc(moment: datetime) -> datetime:
    """A bound given without an offset is read as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@router.get("/rebates.csv", response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}},
                             "description": "one line per rebate, a header first"}})
def export_rebates(
    _: ComplianceRole,
    start: Annotated[datetime, Query(alias="from", description="ISO 8601; UTC without offset")],
    end: Annotated[datetime, Query(alias="to", description="exclusive; UTC without offset")],
) -> StreamingResponse:
    """The rebates of the orders paid in [from, to), in payment order, each with the invite
    path it was paid along (buyer first), as CSV. At most 366 days at a time."""
    start, end = _utc(start), _utc(end)
    if end <= start:
        raise refused("invalid_period", "`to` must be later than `from`")
    if end - start > timedelta(days=366):
        raise refused("invalid_period", "export at most 366 days at a time")
    name = f"rebates-{start:%Y%m%d}-{end:%Y%m%d}.csv"
    lines = compliance_export.csv_lines(start, end)
    first = next(lines)  # the first read before the status line: a database down is a 503
    return StreamingResponse(itertools.chain([first], lines), media_type="text/csv",
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})
