"""Ring detection and ring-model training as Celery jobs whose progress the API shows
(GET /v1/jobs/{id})."""

from typing import Any

from celery.utils.log import get_task_logger

from graph import jobs
from graph.risk import detection, model_store, schedule
from workers import enqueue
from workers.app import app
from workers.job_runner import Progress, run_job

log = get_task_logger(__name__)
NIGHTLY_ACTOR = "beat:detect"
AFTER_EVENTS_ACTOR = "beat:detect-after-events"


@app.task(name="risk.detect", acks_late=True)
def detect(job_id: str, seed: int = 0, actor: str = "system:detect", full: bool = False,
           scheduled: bool = False) -> dict:  # type: ignore[type-arg]
    """Run detection (incremental unless `full`), reporting stage and progress on the job; a
    failure marks it failed. A `scheduled` run that finds another under way is skipped: its
    job succeeds with `skipped` in its result."""
    def work(progress: Progress) -> dict[str, Any]:
        return detection.detect_and_store(seed=seed, progress=progress, actor=actor, full=full)

    return run_job(job_id, "detection", work, log, skip_when_busy=scheduled)


@app.task(name="risk.train_model", acks_late=True)
def train_model(job_id: str, actor: str = "system:train") -> dict:  # type: ignore[type-arg]
    """Train a ring model on the analysts' decisions (graph.risk.model_store.train); the
    job's result names the version, the labels, the figures and whether it was activated."""
    return run_job(job_id, "model training",
                   lambda progress: model_store.train(progress=progress, actor=actor), log)


@app.task(name="risk.detect_nightly")
def detect_nightly() -> dict[str, Any]:
    """The nightly detection (beat, before the daily settlement) as a detection job, audited
    as beat:detect; incremental or full as graph.risk.incremental.choose_mode decides.
    Skipped while another run is under way."""
    return _start_scheduled("nightly", NIGHTLY_ACTOR)


@app.task(name="risk.detect_after_events")
def detect_after_events() -> dict[str, Any]:
    """The beat's minutely look at the trigger a large write arms (graph.risk.schedule): once
    it is due, one detection job. While a run is under way the trigger waits for the next
    look (that run may have read the graph before the write)."""
    if _under_way() is not None:
        return {"job_id": None, "skipped": "a detection run is under way"}
    armed = schedule.take_due()
    if armed is None:
        return {"job_id": None, "skipped": "no large write due"}
    try:
        started = _start_scheduled("after_events", AFTER_EVENTS_ACTOR,
                                   events=int(armed.get("events", 0)))
    except Exception:
        schedule.put_back(armed)  # not queued: the next look tries again
        raise
    if started["skipped"]:  # a run began meanwhile: the next look tries again
        schedule.put_back(armed)
    return started


def _under_way() -> str | None:
    """The job id of a detection run queued or running, "" for one without a job (the
    shell's), or None."""
    job = jobs.running("risk.detect")
    if job is not None:
        return str(job["job_id"])
    return "" if jobs.lock("risk.detect").locked() else None


def _start_scheduled(trigger: str, actor: str, **params: Any) -> dict[str, Any]:
    """Start a detection job for the beat as an API call would, unless one is under way."""
    under_way = _under_way()
    if under_way is not None:
        log.info("%s detection skipped: a run is under way", trigger)
        return {"job_id": under_way or None, "skipped": "a detection run is under way"}
    job = jobs.start("risk.detect", {"seed": 0, "trigger": trigger, **params},
                     lambda job_id: enqueue.send("risk.detect", [job_id, 0, actor, False, True]))
    return {"job_id": job["job_id"], "skipped": None}
