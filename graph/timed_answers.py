"""Answers kept in the process for a few seconds, for reads of data that changes on a
schedule: the ROI rows change only when the worker folds (every minute), so a dashboard
polled by many callers costs the graph one read per question and process every few seconds,
and each answer still says what it is as of.

On the event loop (`get_async`) no caller waits for a read that another already began, and
an answer that has just gone stale is still given while one read renews it: under many
callers the graph sees one read per question, and no caller waits for it. With `spread`,
each answer is kept a random part of `keep_seconds` (from 1 - spread of it to all of it), so
answers read together do not all go stale in the same instant."""

import asyncio
import random
import threading
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any


class TimedAnswers:
    """Answers by key, each kept up to `keep_seconds` from when its read began; at most
    `max_entries` (the oldest go first). Callers must not change an answer they are given."""

    def __init__(self, keep_seconds: float, max_entries: int,
                 clock: Callable[[], float] = time.monotonic, spread: float = 0.0,
                 draw: Callable[[], float] = random.random) -> None:
        self.keep_seconds = keep_seconds
        self.clock = clock
        self.max_entries = max_entries
        self.spread = spread
        self.draw = draw
        self._answers: dict[Hashable, tuple[float, Any]] = {}  # key: (fresh until, answer)
        self._reading: dict[Hashable, asyncio.Future[Any]] = {}  # by key, on the loop
        self._generation = 0  # bumped by clear: a read begun before it is not kept
        self._lock = threading.Lock()

    def _kept(self, key: Hashable) -> tuple[float, Any] | None:
        with self._lock:
            return self._answers.get(key)

    def fresh(self, key: Hashable) -> Any | None:
        """The kept answer of `key` while it is fresh, else None."""
        kept = self._kept(key)
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
        """`get` on the event loop: a fresh answer; else one stale for less than
        `keep_seconds`, while a read renews it; else the read under way for `key`, or a new
        one. A read runs as a task of its own, so a caller that goes away does not cancel it
        for the others; a failed read is kept by no one."""
        kept, now = self._kept(key), self.clock()
        if kept is not None and kept[0] > now:
            return kept[1]
        reading = self._reading.get(key) or self._read(key, read)
        if kept is not None and kept[0] + self.keep_seconds > now:
            return kept[1]
        return await asyncio.shield(reading)

    def _read(self, key: Hashable, read: Callable[[], Awaitable[Any]]) -> asyncio.Future[Any]:
        began, generation = self.clock(), self._generation

        async def read_and_keep() -> Any:
            try:
                answer = await read()
            finally:
                self._reading.pop(key, None)
            self._keep(key, answer, began, generation)
            return answer

        reading = self._reading[key] = asyncio.ensure_future(read_and_keep())
        # a failure no caller waited for is still retrieved, not logged as lost
        reading.add_done_callback(lambda done: done.cancelled() or done.exception())
        return reading

    def _keep(self, key: Hashable, answer: Any, began: float, generation: int) -> None:
        kept_for = self.keep_seconds * (1 - self.spread * self.draw())
        with self._lock:
            if generation != self._generation:
                return
            self._answers.pop(key, None)
            while len(self._answers) >= self.max_entries:
                self._answers.pop(next(iter(self._answers)))
            self._answers[key] = (began + kept_for, answer)

    def clear(self) -> None:
        """Forget every answer (after a fold in this process, or the graph was emptied);
        reads under way now are answered but not kept."""
        with self._lock:
            self._generation += 1
            self._answers.clear()
