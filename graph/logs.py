"""Log lines as JSON, one object per line, each naming the request it serves.

The API (api/main.py binds each request's ids) and the workers (workers/signals.py binds
the ids a task was sent with) log through `JsonFormatter`: time, level, logger, message,
the process, the server's `request_id` and the caller's own `caller_request_id` (its
X-Request-ID, made safe by api.main.caller_request_id), and the fields a line adds with
`extra=` (FIELDS: an access line's method, path, status and duration, a task's name and
state). The ids are read from a context variable when the line is formatted, so code that
logs needs to pass nothing.
"""

import json
import logging
import os
import sys
import time
from contextvars import ContextVar, Token
from pathlib import Path
from typing import Any

import orjson

# The request being served: the server's id for it and the caller's own (or None).
_request: ContextVar[tuple[str | None, str | None]] = ContextVar("log_request",
                                                                 default=(None, None))
# The fields a line may add through `extra=` that the JSON object carries.
FIELDS = ("method", "path", "route", "status", "duration_ms", "task", "task_id", "state")
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


def bind(request_id: str | None, caller_request_id: str | None) -> Token[Any]:
    """Mark what follows (in this context) as serving the request with these ids."""
    return _request.set((request_id, caller_request_id))


def unbind(token: Token[Any]) -> None:
    """End what `bind` began."""
    _request.reset(token)


def current() -> tuple[str | None, str | None]:
    """The ids bound now: (request_id, caller_request_id), each None when none is."""
    return _request.get()


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (a message's own newlines are escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        request_id, caller = current()
        line: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        request_id = getattr(record, "request_id", None) or request_id
        caller = getattr(record, "caller_request_id", None) or caller
        if request_id:
            line["request_id"] = request_id
        if caller:
            line["caller_request_id"] = caller
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


def _is_json(handler: logging.Handler) -> bool:
    return isinstance(handler.formatter, JsonFormatter)


def as_json(logger: logging.Logger) -> None:
    """Make every handler of `logger` format its lines as JSON."""
    for handler in logger.handlers:
        if not _is_json(handler):
            handler.setFormatter(JsonFormatter())


def configure(level: int = logging.INFO) -> None:
    """Make this process log JSON lines: every handler of the root logger and of uvicorn's
    loggers formats as JSON, and the root logger gets a handler on stderr when it has none
    (the application's loggers propagate to it). Idempotent."""
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler(sys.stderr))
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    for logger in (root, *(logging.getLogger(name) for name in UVICORN_LOGGERS)):
        as_json(logger)


def under_uvicorn() -> bool:
    """True when uvicorn configured this process's logging (the app runs under its server,
    not in a test client): its loggers then have handlers."""
    return any(logging.getLogger(name).handlers for name in UVICORN_LOGGERS)


def uvicorn_config() -> dict[str, Any]:
    """uvicorn's logging configuration with JSON lines, for `uvicorn --log-config`: it also
    covers the parent process that supervises `--workers`, which never imports the app."""
    json_formatter = {"()": f"{__name__}.JsonFormatter"}
    stderr = {"class": "logging.StreamHandler", "formatter": "json",
              "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": json_formatter},
        "handlers": {"default": stderr},
        "root": {"handlers": ["default"], "level": "INFO"},
        "loggers": {
            # propagate to the root logger and its one handler
            "uvicorn": {"level": "INFO", "handlers": [], "propagate": True},
            "uvicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
            "uvicorn.access": {"level": "INFO", "handlers": [], "propagate": True},
        },
    }


def write_uvicorn_config(folder: Path) -> Path:
    """Write `uvicorn_config()` into `folder` as uvicorn-log.json; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "uvicorn-log.json"
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(json.dumps(uvicorn_config(), indent=2))
    temporary.replace(path)
    return path
