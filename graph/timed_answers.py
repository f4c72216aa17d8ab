"""Answers kept in the process for a few seconds, for reads of data that changes on a
schedule: the ROI rows change only when the worker folds (every minute), so a dashboard
polled by many callers costs the graph one read per question and process every few seconds,
and each answer still says what it is as of.

On the event loop (`get_async`) callers asking the same question while it is being read
wait for that one read rather than each starting their own: when an answer goes stale under
many callers, the graph sees one read, not one per caller."""

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Hashable
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
        self._reading: dict[Hashable, asyncio.Future[Any]] = {}  # by key, on the loop
        self._generation = 0  # bumped by clear: a read begun before it is not kept
        self._lock = threading.Lock()

    def fresh(self, key: Hashable) -> Any | None:
        """The kept answer of `key` while it is fresh, else None."""
        with self._lock:
            kept = self._answers.get(key)
        return kept[1] if kept is not None and kept[0] > self.clock() else None

    def get(self, key: Hashable, read: Callable[[], Any]) -> Any:
        """The kept answer of `key` while it is fresh, else `read()`, kept."""
        answer = self.fresh(key)
        if answer is None:
            began, generation = self.clock(), self._generation
            answer = read()
            self._keep(key, answer, began, generation)
        return answer

    async def get_async(self, key: Hashable, read: Callable[[], Awaitable[Any]]) -> Any:
        """`get` on the event loop: a fresh answer, else the read already under way for
        `key`, else a new one. The read runs as a task of its own, so a caller that goes
        away does not cancel it for the others; a failed read is kept by no one."""
        answer = self.fresh(key)
        if answer is not None:
            return answer
        reading = self._reading.get(key)
        if reading is None:
            began, generation = self.clock(), self._generation

            async def read_and_keep() -> Any:
                try:
                    answer = await read()
                finally:
                    self._reading.pop(key, None)
                self._keep(key, answer, began, generation)
                return answer

            reading = self._reading[key] = asyncio.ensure_future(read_and_keep())
            # a failure its callers all left is still retrieved, not logged as lost
            reading.add_done_callback(lambda done: done.cancelled() or done.exception())
        return await asyncio.shield(reading)

    def _keep(self, key: Hashable, answer: Any, began: float, generation: int) -> None:
        with self._lock:
            if generation != self._generation:
                return
            self._answers.pop(key, None)
            while len(self._answers) >= self.max_entries:
                self._answers.pop(next(iter(self._answers)))
            self._answers[key] = (began + self.keep_seconds, answer)

    def clear(self) -> None:
        """Forget every answer (after a fold in this process, or the graph was emptied);
        reads under way now are answered but not kept."""
        with self._lock:
            self._generation += 1
            self._answers.clear()
