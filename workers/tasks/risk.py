"""Ring detection as a Celery job whose progress the API shows (GET /v1/jobs/{id})."""

from typing import Any

from celery.utils.log import get_task_logger

from graph import jobs
from graph.risk import detection
from workers.app import app

log = get_task_logger(__name__)


@app.task(name="risk.detect", acks_late=True)
def detect(job_id: str, seed: int = 0, actor: str = "system:detect") -> dict:  # type: ignore[type-arg]
    """Run detection, reporting stage and progress on the job; a failure marks it failed."""
    jobs.update(job_id, status="running", stage="starting", progress=0.0)
    shown: list[Any] = ["starting", 0.0]  # the stage and fraction last written to the job

    def progress(stage: str, fraction: float) -> None:
        # every new stage is shown; within a stage, steps of 2% (each is a Redis write)
        if stage != shown[0] or fraction - shown[1] >= 0.02 or fraction >= 1.0:
            shown[:] = [stage, fraction]
            jobs.update(job_id, stage=stage, progress=round(fraction, 3))

    try:
        result = detection.detect_and_store(seed=seed, progress=progress, actor=actor)
    except Exception as error:
        log.exception("risk.detect failed")
        jobs.update(job_id, status="failed", error=f"{type(error).__name__}: {error}")
        raise
    jobs.update(job_id, status="succeeded", progress=1.0, stage="done", result=result)
    return result
