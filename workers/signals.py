"""What every Celery process does around its tasks, through Celery's signals: JSON log
lines, the request ids a task was sent with, and the task metrics.

- Sending (in the API): `before_task_publish` puts the ids of the request being served
  (graph/logs.py) into the task message's headers.
- Running (in a worker process): `task_prerun` binds those ids, so every line the task
  logs carries them, and starts its clock; `task_postrun` counts the run in
  graph/metrics.py (and a `risk.detect` run as a detection run), logs one line naming the
  task, its state and duration, and unbinds the ids.
- Logging: the worker's and beat's loggers format as JSON once Celery has set them up.

The worker is a separate process from the API: its metrics reach GET /metrics through the
shared metric files of graph/metrics.py, not through Redis.
"""

import logging
import time
from typing import Any

from celery import signals

from graph import logs, metrics

log = logging.getLogger("tiergraph.tasks")
REQUEST_HEADER = "tiergraph_request_id"
CALLER_HEADER = "tiergraph_caller_request_id"
DETECTION_TASK = "risk.detect"
# task id -> (its ids' token, when it started): a worker process runs one task at a time,
# but a task's prerun and postrun are matched by id all the same
_running: dict[str, tuple[Any, float]] = {}


@signals.before_task_publish.connect
def _send_request_ids(headers: dict[str, Any] | None = None, **_: Any) -> None:
    request_id, caller = logs.current()
    if headers is not None and request_id:
        headers[REQUEST_HEADER] = request_id
        if caller:
            headers[CALLER_HEADER] = caller


@signals.task_prerun.connect
def _task_started(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    request = getattr(task, "request", None)
    token = logs.bind(getattr(request, REQUEST_HEADER, None),
                      getattr(request, CALLER_HEADER, None))
    _running[str(task_id)] = (token, time.perf_counter())


@signals.task_postrun.connect
def _task_ended(task_id: str | None = None, task: Any = None, state: str | None = None,
                retval: Any = None, kwargs: dict[str, Any] | None = None, **_: Any) -> None:
    started = _running.pop(str(task_id), None)
    if started is None:
        return
    token, at = started
    seconds = time.perf_counter() - at
    name = getattr(task, "name", None) or "unknown"
    state = state or "UNKNOWN"
    try:
        metrics.task_ended(name, state, seconds)
        if name == DETECTION_TASK:
            _detection_ended(state, retval, kwargs or {}, seconds)
        milliseconds = round(seconds * 1000, 3)
        log.info("task %s %s in %.1f ms", name, state, milliseconds,
                 extra={"task": name, "task_id": task_id, "state": state,
                        "duration_ms": milliseconds})
    finally:
        logs.unbind(token)


def _detection_ended(state: str, retval: Any, kwargs: dict[str, Any], seconds: float) -> None:
    """A `risk.detect` run as a detection: its mode from its result (full / incremental);
    a run skipped because another was under way is no detection and is not recorded."""
    if isinstance(retval, dict) and "skipped" in retval:
        return
    if isinstance(retval, dict) and retval.get("mode") in ("full", "incremental"):
        mode = str(retval["mode"])
    else:
        mode = "full" if kwargs.get("full") else "unknown"
    metrics.detection_ended(mode, "succeeded" if state == "SUCCESS" else "failed", seconds)


@signals.worker_process_init.connect
def _forget_earlier_files(**_: Any) -> None:
    # a new pool process may have the pid of one that is gone: its files are not ours
    metrics.forget_dead_processes()


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def _json_lines(logger: logging.Logger | None = None, **_: Any) -> None:
    if logger is not None:
        logs.as_json(logger)
