"""A task's work run as a job the API shows (graph/jobs.py): running, its stage and progress,
then succeeded with the result or failed with the error."""

import logging
from collections.abc import Callable
from typing import Any

from graph import jobs
from graph.errors import DomainError

Progress = Callable[[str, float], None]
STEP = 0.02  # within a stage, progress is written in steps this big (each a Redis write)


def run_job(job_id: str, name: str, work: Callable[[Progress], dict[str, Any]],
            log: logging.Logger, stage: str = "starting",
            skip_when_busy: bool = False) -> dict[str, Any]:
    """Run `work(progress)` as job `job_id`: every new stage is shown, and within a stage
    steps of STEP and the end. Its result ends the job succeeded; an error marks it failed
    and is raised again. With `skip_when_busy`, a run refused because another holds the
    lock (a 409) succeeds with `skipped` in its result: a scheduled run that found one on."""
    jobs.update(job_id, status="running", stage=stage, progress=0.0)
    shown: list[Any] = [stage, 0.0]  # the stage and fraction last written to the job

    def progress(stage: str, fraction: float) -> None:
        if stage != shown[0] or fraction - shown[1] >= STEP or fraction >= 1.0 > shown[1]:
            shown[:] = [stage, fraction]
            jobs.update(job_id, stage=stage, progress=round(fraction, 3))

    try:
        result = work(progress)
    except Exception as error:
        if not (skip_when_busy and isinstance(error, DomainError) and error.status == 409):
            log.exception("%s failed", name)
            jobs.update(job_id, status="failed", error=f"{type(error).__name__}: {error}")
            raise
        log.info("scheduled %s skipped: %s", name, error.detail)
        result = {"skipped": error.detail}
    jobs.update(job_id, status="succeeded", progress=1.0, stage="done", result=result)
    return result
