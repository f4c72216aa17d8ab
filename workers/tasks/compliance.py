"""Full verifications of the tier report as Celery jobs whose progress the API shows
(GET /v1/compliance/tier-report/runs/{id}), and the daily one on beat."""

from typing import Any

from celery.utils.log import get_task_logger

from graph import compliance_reports, jobs
from workers import enqueue
from workers.app import app
from workers.job_runner import Progress, run_job

log = get_task_logger(__name__)
DAILY_ACTOR = "beat:compliance"


@app.task(name="compliance.verify", acks_late=True)
def verify(job_id: str, actor: str = "system:compliance", role: str = "compliance",
           trigger: str = "api", scheduled: bool = False, mode: str = "full") -> dict[str, Any]:
    """Verify the whole graph (`full`) or carry the latest report forward (`catch_up`) and
    store the report, telling the job its stage and progress; the job's result names the
    report, its digest and counts. A failure marks it failed. A `scheduled` run that finds
    another under way is skipped (`skipped` in its result)."""
    def work(progress: Progress) -> dict[str, Any]:
        stored = compliance_reports.run_and_store(trigger, actor, role, progress, mode)
        return {"report_id": stored["report_id"], "kind": stored["kind"],
                "digest": stored["digest"], "compliant": stored["compliant"],
                "covers_until": stored["covers_until"],
                "rebates_checked": stored["rebates_checked"],
                "users_checked": stored["users_checked"]}

    return run_job(job_id, "tier report run", work, log, skip_when_busy=scheduled)


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
