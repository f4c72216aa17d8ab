"""Prometheus metrics of every tiergraph process, added up over the processes when scraped.

The API runs several uvicorn processes and the worker several Celery processes. Each keeps
its counts in files of its own (named by its pid) in one folder, <data dir>/metrics, with
prometheus_client's multiprocess mode; GET /metrics (api/metrics.py) reads every file there,
so one scrape of any API process answers for all of them and for the worker. The folder is
shared through the file system: the API and the worker must see the same data dir (the local
stack does; separate containers need it on a shared volume).

What is counted here, by whom:
- `tiergraph_http_requests_total`, `tiergraph_http_request_duration_seconds`: each API
  request, by method, route template (never the raw path) and status (api/metrics.py);
- `tiergraph_tasks_total`, `tiergraph_task_duration_seconds`: each Celery task run, by task
  name and state (workers/app.py, from Celery's task signals);
- `tiergraph_detection_duration_seconds`: each ring detection run by the `risk.detect` task,
  by mode (full / incremental) and outcome;
- `tiergraph_webhook_deliveries_total`: each webhook delivery attempt, by outcome: code
  that delivers a webhook calls `webhook_delivery("delivered" | "failed" | ...)`.
Counts read from the stores when scraped (rebates by status, the task queue's length) are
not kept here but computed by api/metrics.py.
"""

import os
from pathlib import Path

from graph import processes
from graph.settings import get_settings

# Files of processes that are gone stay and keep counting in the sums (a restarted API
# process does not take its predecessor's requests away) until the process that starts next
# with the same pid, or the next process to start after a stack restart, clears them.
FILE_SUFFIX = ".db"


def metrics_dir() -> Path:
    """The folder every process writes its metric files into."""
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return Path(given) if given else (get_settings().data_dir / "metrics").resolve()


def forget_dead_processes(folder: Path | None = None) -> int:
    """Remove the metric files of processes no longer running, and any left under this
    process's own pid by an earlier process (this one has written nothing yet when it calls
    this). Returns the number removed."""
    folder = folder or metrics_dir()
    removed = 0
    for path in folder.glob(f"*{FILE_SUFFIX}"):
        pid_text = path.stem.rpartition("_")[2]
        if not pid_text.isdigit():
            continue
        pid = int(pid_text)
        if pid == os.getpid() or not processes.alive(pid):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _prepare() -> Path:
    """Point prometheus_client at the shared folder: it reads PROMETHEUS_MULTIPROC_DIR when
    it is imported (below) and when a process starts (children inherit it)."""
    folder = metrics_dir()
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    forget_dead_processes(folder)
    return folder


METRICS_DIR = _prepare()

from prometheus_client import CollectorRegistry, Counter, Histogram, values  # noqa: E402
from prometheus_client.multiprocess import MultiProcessCollector  # noqa: E402

if not getattr(values.ValueClass, "_multiprocess", False):
    # prometheus_client was imported before the folder was set: use the files all the same
    values.ValueClass = values.MultiProcessValue()

# Request latencies: from a cached upline (well under a millisecond) to a large events batch.
REQUEST_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                   5.0, 10.0, 30.0)
TASK_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)
DETECTION_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 7200.0)

HTTP_REQUESTS = Counter("tiergraph_http_requests_total",
                        "API requests answered, by method, route template and status.",
                        ["method", "route", "status"])
HTTP_DURATION = Histogram("tiergraph_http_request_duration_seconds",
                          "Time to answer an API request, by method, route template and status.",
                          ["method", "route", "status"], buckets=REQUEST_BUCKETS)
TASKS = Counter("tiergraph_tasks_total", "Celery task runs ended, by task and state.",
                ["task", "state"])
TASK_DURATION = Histogram("tiergraph_task_duration_seconds",
                          "Time a Celery task ran, by task and state.", ["task", "state"],
                          buckets=TASK_BUCKETS)
DETECTION_DURATION = Histogram("tiergraph_detection_duration_seconds",
                               "Time a ring detection run took, by mode and outcome.",
                               ["mode", "outcome"], buckets=DETECTION_BUCKETS)
WEBHOOK_DELIVERIES = Counter("tiergraph_webhook_deliveries_total",
                             "Webhook delivery attempts, by outcome.", ["outcome"])


def webhook_delivery(outcome: str) -> None:
    """Count one webhook delivery attempt. `outcome` is a short fixed word such as
    `delivered`, `failed` (the mall answered an error or did not answer) or `gave_up` (the
    last retry failed); never a URL or anything else without a fixed set of values."""
    WEBHOOK_DELIVERIES.labels(outcome).inc()


def task_ended(task: str, state: str, seconds: float) -> None:
    """Count one Celery task run that ended in `state` after `seconds`."""
    TASKS.labels(task, state).inc()
    TASK_DURATION.labels(task, state).observe(seconds)


def detection_ended(mode: str, outcome: str, seconds: float) -> None:
    """Record one detection run (`mode` full or incremental, `outcome` succeeded or failed)."""
    DETECTION_DURATION.labels(mode, outcome).observe(seconds)


def registry() -> CollectorRegistry:
    """A registry holding the sums of every process's files, for one scrape."""
    collected = CollectorRegistry()
    MultiProcessCollector(collected, path=str(METRICS_DIR))
    return collected
