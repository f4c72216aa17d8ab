"""Answers kept in the process for a few seconds, for reads of data that changes on a
schedule: the ROI rows change only when the worker folds (every minute), so a dashboard
polled by many callers costs the graph one read per question and process every few seconds,
and each answer still says what it is as of."""

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any


class TimedAnswers:
    """Answers by key, each kept `keep_seconds` from when it was read; at most `max_entries`
    (the oldest go first). Callers must not change an answer they are given."""

    def __init__(self, keep_seconds: float, max_entries: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.keep_seconds = keep_seconds
        self.clock = clock
        self.max_entries = max_entries
        self._answers: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, read: Callable[[], Any]) -> Any:
        """The kept answer of `key` while it is fresh, else `read()`, kept."""
        now = self.clock()
        with self._lock:
            kept = self._answers.get(key)
        if kept is not None and kept[0] > now:
            return kept[1]
        answer = read()
        with self._lock:
            self._answers.pop(key, None)
            while len(self._answers) >= self.max_entries:
                self._answers.pop(next(iter(self._answers)))
            self._answers[key] = (now + self.keep_seconds, answer)
        return answer

    def clear(self) -> None:
        """Forget every answer (after a fold in this process, or the graph was emptied)."""
        with self._lock:
            self._answers.clear()
