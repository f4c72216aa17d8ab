"""Ingestion: one code path for POST /v1/events, POST /v1/users and `tiergraph import`.

A batch is handled in three steps:
1. read the stored state the batch refers to (one read transaction, `store.read`);
2. check the events in order against that state plus the batch's own earlier events,
   refusing each bad one with a reason and keeping the good ones (`checks`);
3. write the good ones in one transaction, a few UNWIND statements per event type
   (`store.write`).
The answer is given only after that transaction committed, so an acknowledged event is
durable. Replays are recognised by content fingerprint and change nothing. The write compares
too: an entry another batch stored between this one's check and its write is found by the
write statement, which then writes nothing for it, and the event becomes a replay or a
refusal by what the stored entry holds (`checks.found_outcome`), whatever the interleaving.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.ingest import checks, store
from graph.ingest.checks import Outcome, Verdict
from graph.ingest.events import Rejection, parse_event
from graph.ingest.store import Plan, Stored
from graph.risk import schedule


@dataclass
class IngestResult:
    """What happened to a batch: counts, each refusal by index, and the orders to compute."""

    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    new_order_ids: list[str] = field(default_factory=list)

    def count(self, index: int, outcome: Outcome) -> None:
        """Count the checked event at `index`: accepted, a duplicate, or refused."""
        if outcome is Verdict.ACCEPTED:
            self.accepted += 1
        elif outcome is Verdict.DUPLICATE:
            self.duplicates += 1
        else:
            self.rejected.append(Rejection(index=index, reason=outcome.reason,
                                           detail=outcome.detail))

    def merge(self, other: "IngestResult", offset: int = 0) -> None:
        """Fold the result of a later chunk (indexes shifted by `offset`) into this one."""
        self.accepted += other.accepted
        self.duplicates += other.duplicates
        self.rejected.extend(
            Rejection(index=r.index + offset, reason=r.reason, detail=r.detail)
            for r in other.rejected
        )
        self.new_order_ids.extend(other.new_order_ids)

    def as_dict(self) -> dict[str, Any]:
        """The answer sent for the batch: its counts and refusals."""
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": [r.model_dump() for r in self.rejected],
        }


ATTEMPTS = 5


def ingest_raw(raw_events: list[Any]) -> IngestResult:
    """Validate and store a batch of raw JSON events (already decoded); a large one arms
    detection after it (graph.risk.schedule)."""
    parsed = [parse_event(i, raw) for i, raw in enumerate(raw_events)]
    result = ingest_parsed(parsed)
    schedule.note_written(result.accepted)
    return result


def ingest_parsed(parsed: list[Any]) -> IngestResult:
    """Store a batch whose items are events or `Rejection`s from parsing, in batch order."""
    events, parse_rejections = split(parsed)
    if not events:
        return IngestResult(rejected=parse_rejections)
    for attempt in range(1, ATTEMPTS + 1):
        result, plan, _ = checked(events, parse_rejections)
        try:
            created = store.write(plan)
            break
        except store.Stale:  # another batch refunded the same order meanwhile: check again
            if attempt == ATTEMPTS:
                raise
    return finished(result, created)


def split(parsed: list[Any]) -> tuple[list[tuple[int, Any]], list[Rejection]]:
    """The batch's events with their indexes, and the items parsing refused."""
    events = [(i, item) for i, item in enumerate(parsed) if not isinstance(item, Rejection)]
    return events, [item for item in parsed if isinstance(item, Rejection)]


def checked(events: list[tuple[int, Any]], parse_rejections: list[Rejection],
            unwritten: Sequence[Stored] = ()) -> tuple[IngestResult, Plan, Stored]:
    """Steps 1 and 2: read the stored state (with what `unwritten` batches, checked but not
    yet committed, add on top of it), then check. Returns the result so far, the writes, and
    the state as the check left it."""
    result = IngestResult(rejected=list(parse_rejections))
    stored = store.read([e for _, e in events])
    for earlier in unwritten:  # oldest first, so the latest state of an entry wins
        stored.update(earlier)
    plan = Plan()
    for index, outcome in checks.check_events(events, stored, plan):
        result.count(index, outcome)
    return result, plan, stored


def finished(result: IngestResult, created: dict[str, Any]) -> IngestResult:
    """Step 3's answer folded in: an entry another writer stored first (between our check and
    our write) is judged by what it holds, a replay or a refusal; a session stored first is a
    replay (its id is its content)."""
    for found in created["found"]:
        result.accepted -= 1
        result.count(found["index"], checks.found_outcome(found))
    raced = result.accepted - created["total"]
    result.accepted -= raced
    result.duplicates += raced
    result.new_order_ids = created["orders"]
    result.rejected.sort(key=lambda r: r.index)
    return result
