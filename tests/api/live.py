"""The API as the stack runs it: uvicorn with several worker processes (infra/stack.py), on
a free port of the test stack, for the tests that need real processes (metrics summed over
them, their log file)."""

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from graph.settings import get_settings
from tests.conftest import STACK

API_PROCESSES = 2
# An external stack's own worker takes tasks from the same queue, into its own log and
# metric files: the tests that follow a task into the worker need the worker the tests start.
needs_own_worker = pytest.mark.skipif(STACK == "external", reason="an external stack's worker "
                                      "may run the task; its log and metrics are elsewhere")


@dataclass
class LiveApi:
    url: str
    log: Path
    log_from: int  # where this run's lines begin in the log file

    def log_lines(self) -> list[str]:
        """The API's log lines written since it started."""
        with open(self.log, "rb") as f:
            f.seek(self.log_from)
            return f.read().decode(errors="replace").splitlines()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_api(env: dict[str, str] | None = None) -> Iterator[LiveApi]:
    """Start the API (API_PROCESSES processes), with the settings `env` holds
    (TIERGRAPH_*) over the tests' own, and stop it at the end."""
    from infra import stack

    settings = get_settings().model_copy(update={"api_port": free_port(),
                                                 "api_workers": API_PROCESSES})
    paths = stack.Paths(settings.data_dir)
    if stack.running_pid(paths, "api") is not None:
        raise RuntimeError(f"an API of this test stack already runs; stop it "
                           f"({paths.pidfile('api')})")
    log = paths.logfile("api")
    log_from = log.stat().st_size if log.exists() else 0
    stack.start_api(settings, paths, say=print, env=env)
    try:
        yield LiveApi(f"http://{settings.api_host}:{settings.api_port}", log, log_from)
    finally:
        stack.stop_service(paths, "api")
