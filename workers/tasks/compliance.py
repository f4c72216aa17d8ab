"""Full verifications of the tier report as Celery jobs whose progress the API shows
(GET /v1/compliance/tier-report/runs/{id}), and the daily one on beat."""

from typing import Any

from celery.utils.log import get_task_logger

from graph import compliance_reports, jobs
from graph.errors import DomainError
from workers import enqueue
from workers.app import app

log = get_task_logger(__name__)
DAILY_ACTOR = "beat:compliance"


@app.task(name="compliance.verify", acks_late=True)
def verify(job_id: str, actor: str = "system:compliance", role: str = "compliance",
           trigger: str = "api", scheduled: bool = False, mode: str = "full") -> dict[str, Any]:
    """Verify the whole graph (`full`) or carry the latest report forward (`catch_up`) and
    store the report, telling the job its stage and progress; the job's result names the
    report, its digest and counts. A failure marks it failed. A `scheduled` run that finds
    another under way is skipped (`skipped` in its result)."""
    jobs.update(job_id, status="running", stage="starting", progress=0.0)
    shown: list[Any] = ["starting", 0.0]  # the stage and fraction last written to the job

    def progress(stage: str, fraction: float) -> None:
        # every new stage is shown; within a stage, steps of 2% (each is a Redis write)
        if stage != shown[0] or fraction - shown[1] >= 0.02:
            shown[:] = [stage, fraction]
            jobs.update(job_id, stage=stage, progress=round(fraction, 3))

    try:
        stored = compliance_reports.run_and_store(trigger, actor, role, progress, mode)
    except Exception as error:
        if not (scheduled and isinstance(error, DomainError) and error.status == 409):
            log.exception("compliance.verify failed")
            jobs.update(job_id, status="failed", error=f"{type(error).__name__}: {error}")
            raise
        log.info("scheduled tier report run skipped: %s", error.detail)
        result: dict[str, Any] = {"skipped": error.detail}
    else:
        result = {"report_id": stored["report_id"], "kind": stored["kind"],
                  "digest": stored["digest"],
                  "compliant": stored["compliant"], "covers_until": stored["covers_until"],
                  "rebates_checked": stored["rebates_checked"],
                  "users_checked": stored["users_checked"]}
    jobs.update(job_id, status="succeeded", progress=1.0, stage="done", result=result)
    return result


@app.task(name="compliance.verify_daily")
def verify_daily() -> dict[str, Any]:
    """The daily full verification (beat) as a job, audited as beat:compliance; skipped
    while another run is under way."""
    under_way = jobs.running(compliance_reports.KIND)
    if under_way is not None or jobs.lock(compliance_reports.KIND).locked():
        log.info("daily tier report run skipped: a run is under way")
        return {"job_id": under_way["job_id"] if under_way else None,
                "skipped": "a tier report run is under way"}
    job = jobs.start(compliance_reports.KIND, {"trigger": "daily", "mode": "full"},
                     lambda job_id: enqueue.send(compliance_reports.KIND,
                                                 [job_id, DAILY_ACTOR, "compliance", "daily",
                                                  True, "full"]))
    return {"job_id": job["job_id"], "skipped": None}
