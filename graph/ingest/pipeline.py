"""The file import: NDJSON lines ingested a chunk (one write transaction) at a time, the next
chunk optionally read and checked while the last one is written."""

from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from graph.ingest import store
from graph.ingest.batch import IngestResult, checked, finished, ingest_parsed, split
from graph.ingest.events import parse_line
from graph.ingest.store import Plan, Stored
from graph.risk import schedule


def ingest_lines(
    lines: list[bytes], chunk: int, after_chunk: Callable[[IngestResult, int], None] | None = None,
    pipelined: bool = False,
) -> IngestResult:
    """Ingest NDJSON lines `chunk` at a time (one write transaction each); rejections carry
    the 0-based line index. `after_chunk(result, lines_done)` runs after each commit, in
    order. `pipelined` reads and checks the next chunk while the last one is written, with
    the same result as one after another (see `_pipelined`). An import that has written
    enough new events arms detection after it (graph.risk.schedule)."""
    written = [0]

    def noted(result: IngestResult, done: int) -> None:
        written[0] += result.accepted
        schedule.note_written(written[0])
        if after_chunk is not None:
            after_chunk(result, done)

    if pipelined:
        return _pipelined(lines, chunk, noted)
    total = IngestResult()
    for start in range(0, len(lines), chunk):
        part = lines[start:start + chunk]
        result = ingest_parsed([parse_line(i, line) for i, line in enumerate(part)])
        noted(result, start + len(part))
        total.merge(result, offset=start)
    return total


class _EarlierFailed(Exception):
    """The chunk before this one was not written as checked; this one must be checked again."""


@dataclass
class _InFlight:
    start: int
    end: int
    parsed: list[Any]
    result: IngestResult
    adds: Stored
    future: "Future[dict[str, Any]]"


def _pipelined(lines: list[bytes], chunk: int,
               after_chunk: Callable[[IngestResult, int], None] | None) -> IngestResult:
    """`ingest_lines` with the next chunk read and checked while the last one is written,
    and the same outcome as one chunk after another:

    - a chunk is checked against the stored state plus what the chunk still being written
      adds (its users, orders, refunds and sessions, as its own check left them);
    - writes run one at a time, in file order, on one writer thread, so a chunk's write
      starts only after the one before it committed: no statement meets a missing inviter,
      buyer or order. (Writing independent chunks at once was measured too: their deadlocks
      on shared identifiers cost what the second writer gained, docs/design.md.)
    - results are reported in chunk order. A chunk whose write was refused as stale, or came
      after one that failed or found entries stored meanwhile by another writer, is checked
      and written again on its own; any other failure ends the import once the write in
      flight finished (chunks are idempotent: run it again).
    """
    total = IngestResult()
    flying: deque[_InFlight] = deque()

    def write_after(earlier: "Future[dict[str, Any]] | None", plan: Plan) -> dict[str, Any]:
        # An earlier chunk that failed, or whose write found entries another writer stored
        # meanwhile, did not add what this chunk's check assumed it would.
        if earlier is not None and (earlier.exception() is not None
                                    or earlier.result()["found"]):
            raise _EarlierFailed()
        return store.write(plan)

    def settle() -> None:  # the oldest chunk in flight: wait for it and report it
        job = flying.popleft()
        try:
            result = finished(job.result, job.future.result())
        except (store.Stale, _EarlierFailed):
            result = ingest_parsed(job.parsed)
        if after_chunk is not None:
            after_chunk(result, job.end)
        total.merge(result, offset=job.start)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-write") as pool:
        try:
            for start in range(0, len(lines), chunk):
                part = lines[start:start + chunk]
                parsed = [parse_line(i, line) for i, line in enumerate(part)]
                events, parse_rejections = split(parsed)
                earlier = flying[-1].future if flying else None
                if events:
                    result, plan, stored = checked(events, parse_rejections,
                                                   [job.adds for job in flying])
                    adds = _adds(plan, stored)
                    future = pool.submit(write_after, earlier, plan)
                else:
                    result, adds, future = IngestResult(rejected=parse_rejections), Stored(
                        {}, {}, {}, set()), pool.submit(dict, total=0, orders=[])
                flying.append(_InFlight(start, start + len(part), parsed, result, adds, future))
                while len(flying) >= 2 or (flying and flying[0].future.done()):
                    settle()
            while flying:
                settle()
        finally:  # on a failure, let the write in flight end before the error is raised
            for job in flying:
                job.future.exception()
    return total


def _adds(plan: Plan, stored: Stored) -> Stored:
    """The entries of `stored` that a checked chunk's writes add or change. They are shared,
    not copied: nothing touches a chunk's `stored` after its check, and `Stored.update`
    copies each entry it lays over a later chunk's state before that check changes it."""
    touched_orders = {r["order_id"] for rows in (plan.orders, plan.refunds, plan.completions)
                      for r in rows}
    return Stored(
        users={r["user_id"]: stored.users[r["user_id"]] for r in plan.users},
        orders={o: stored.orders[o] for o in touched_orders},
        refunds={r["refund_id"]: stored.refunds[r["refund_id"]] for r in plan.refunds},
        sessions={r["id"] for r in plan.sessions},
        levels={r["id"] for r in plan.levels},
    )
