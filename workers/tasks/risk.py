"""Ring detection as a Celery job whose progress the API shows (GET /v1/jobs/{id})."""

from celery.utils.log import get_task_logger

from graph import jobs, risk
from workers.app import app

log = get_task_logger(__name__)


@app.task(name="risk.detect", acks_late=True)
def detect(job_id: str, seed: int = 0, actor: str = "system:detect") -> dict:  # type: ignore[type-arg]
    """Run detection, reporting stage and progress on the job; a failure marks it failed."""
    jobs.update(job_id, status="running", stage="starting", progress=0.0)
    last = [0.0]

    def progress(stage: str, fraction: float) -> None:
        if fraction - last[0] >= 0.02 or fraction >= 1.0:
            last[0] = fraction
            jobs.update(job_id, stage=stage, progress=round(fraction, 3))

    try:
        result = risk.detect_and_store(seed=seed, progress=progress, actor=actor)
    except Exception as error:
        log.exception("risk.detect failed")
        jobs.update(job_id, status="failed", error=f"{type(error).__name__}: {error}")
        raise
    jobs.update(job_id, status="succeeded", progress=1.0, stage="done", result=result)
    return result
