"""Stored tier reports, and the current one: the latest stored report brought up to date.

A full run (`run_and_store`: the `compliance.verify` job, the daily beat, POST
/v1/compliance/tier-report/runs) verifies the whole graph (graph.compliance.verify) and stores
the report as a `TierReport` node holding its document, digest included, audited in the same
transaction (so its digest is in the hash-chained log too). A catch-up run carries the latest
report forward over what was written since (graph.compliance.catch_up) and stores that.
`current` answers GET /v1/compliance/tier-report: the latest stored report plus what the
application wrote since it covered (graph.compliance.check_since), checked within a bound;
what is left over is named in `pending`, `covers_until` says how far the answer goes, and a
catch-up run is queued.
"""

import contextlib
import logging
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from redis.exceptions import LockError

from graph import compliance, db, jobs, paging
from graph.audit import trail
from graph.errors import DomainError, conflict, not_found, refused
from graph.settings import get_settings

log = logging.getLogger(__name__)
KIND = "compliance.verify"  # the job kind and its lock
# What the current answer checks itself of what came after the latest report: the oldest
# rebates and invite edges up to this many each, so that it answers within the second.
SINCE_LIMIT = 1_000
PENDING_CAP = 100_000  # left over beyond the limit: counted up to this many each
# A graph with no report yet (or one made under another tier cap) is verified while the
# caller waits only up to this many rebates and users together; past it, a run is queued.
VERIFY_WHILE_WAITING = 50_000
RETRY_AFTER_SECONDS = 30

FIRST_PAGE = "~"  # sorts after every report id ("tr-...")

QueueRun = Callable[[], str]  # queues a full run (or finds the one under way): its job id


def new_id(at: datetime) -> str:
    """A report id that sorts by generation time (newest last), unique by a random tail."""
    return f"tr-{at.astimezone(UTC):%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(3)}"


def run_and_store(trigger: str, actor: str, role: str,
                  progress: compliance.Progress | None = None,
                  mode: str = "full") -> dict[str, Any]:
    """Verify the whole graph (`full`), or carry the latest report forward over what came
    after it (`catch_up`; full when there is no report made under this tier cap), and store
    the report; one run at a time (409 while another is under way). The stored document, or
    the latest one when a catch-up found less than a minute to cover."""
    guard = jobs.lock(KIND)
    if not guard.acquire():
        raise conflict("a tier report run is under way; its report follows")
    try:
        base = latest() if mode == "catch_up" else None
        if base is not None and base["max_tiers"] == get_settings().max_tiers:
            report = compliance.catch_up(base, progress)
            if report is None:
                return base
        else:
            report = compliance.verify(progress)
        if progress:
            progress("storing", 0.99)
        return store(report, trigger, actor, role)
    finally:
        with contextlib.suppress(LockError):  # expired under a very long run: nothing held
            guard.release()


def store(report: dict[str, Any], trigger: str, actor: str, role: str) -> dict[str, Any]:
    """Store a verified report under a new id with its trigger, digested again over all of
    it, and audit it in the same transaction; the stored document."""
    document = {k: v for k, v in report.items() if k != "digest"}
    document["report_id"] = new_id(datetime.fromisoformat(report["generated_at"]))
    document["trigger"] = trigger
    document["digest"] = compliance.report_digest(document)

    def work(tx: Any) -> None:
        db.run(tx, "compliance.store_report", document=orjson.dumps(document).decode(),
               report={"id": document["report_id"], "generated_at": document["generated_at"],
                       "covers_until": document["covers_until"], "digest": document["digest"],
                       "compliant": document["compliant"], "trigger": trigger})
        trail.append(tx, actor=actor, role=role, action="compliance.tier_report",
                     target=f"tier_report:{document['report_id']}",
                     after={"digest": document["digest"], "compliant": document["compliant"],
                            "covers_until": document["covers_until"]})

    db.write(work)
    return document


def latest() -> dict[str, Any] | None:
    """The newest stored report's document, or None."""
    rows = db.read_query("compliance.report_latest")
    return orjson.loads(rows[0]["document"]) if rows else None


def get(report_id: str) -> dict[str, Any]:
    """A stored report's document as it was stored (its digest checks against it); 404."""
    rows = db.read_query("compliance.report_get", id=report_id) if len(report_id) <= 64 else []
    if not rows:
        raise not_found(f"tier report {report_id!r}")
    return orjson.loads(rows[0]["document"])


def verify(saved: dict[str, Any]) -> dict[str, Any]:
    """Check a saved report (a stored one, or a GET of the current one): `intact` when its
    content is what its digest covers; `matches_stored` when the stored report it names has
    the digest it claims for it (None when it names none, or one not stored here)."""
    if not isinstance(saved.get("digest"), str):
        raise refused("not_a_report", "a saved tier report carries its `digest`")
    computed = compliance.report_digest(saved)
    report_id = saved.get("report_id")
    # a current answer names its base report's digest; a stored report is its own base
    claimed = saved.get("report_digest", saved["digest"])
    stored = None
    if isinstance(report_id, str) and 0 < len(report_id) <= 64:
        rows = db.read_query("compliance.report_get", id=report_id)
        stored = orjson.loads(rows[0]["document"])["digest"] if rows else None
    return {"intact": computed == saved["digest"], "claimed_digest": saved["digest"],
            "computed_digest": computed, "report_id": report_id, "stored_digest": stored,
            "matches_stored": None if stored is None else stored == claimed}


def summary(document: dict[str, Any]) -> dict[str, Any]:
    """A stored report as GET /v1/compliance/tier-reports lists it."""
    return {
        "id": document["report_id"], "generated_at": document["generated_at"],
        "covers_until": document["covers_until"], "trigger": document["trigger"],
        "kind": document["kind"],
        "digest": document["digest"], "compliant": document["compliant"],
        "max_paid_tier": document["max_paid_tier"],
        "counts": {"rebates_checked": document["rebates_checked"],
                   "users_checked": document["users_checked"],
                   "rules_checked": document["rules_checked"],
                   "violations": sum(v["count"] for v in document["violations"]),
                   "rules_over_limit": len(document["rules_over_limit"]),
                   "invite_cycles": document["invite_cycles"],
                   "multiple_inviters": document["multiple_inviters"]}}


def page(limit: int, cursor: str | None) -> dict[str, Any]:
    """Stored reports newest first, a page at a time (keyset on the id)."""
    rows = db.read_query("compliance.report_page",
                         before=paging.decode(cursor, _report_id) or FIRST_PAGE, limit=limit + 1)
    items = [summary(orjson.loads(row["document"])) for row in rows]
    return paging.page(items, limit, lambda item: [item["id"]])


def _report_id(keys: list[Any]) -> str:
    """The report id a cursor carries (the last of the page before)."""
    [report_id] = keys
    if type(report_id) is not str:
        raise ValueError("not a report id")
    return report_id


def current(actor: str, role: str, queue_run: QueueRun) -> dict[str, Any]:
    """The latest stored report brought up to date: its tally plus what was created since it
    covered (checked now, up to SINCE_LIMIT of each kind), rules checked now, and a digest
    over the answer. Without a usable report, one is made while the caller waits when the
    graph is small, else a run is queued and the answer is a 503 `report-pending`."""
    cap = get_settings().max_tiers
    base = latest()
    if base is None or base["max_tiers"] != cap:
        base = _first_report(cap, actor, role, queue_run, stale=base is not None)
    since = compliance.check_since(base["covers_until"], SINCE_LIMIT, PENDING_CAP)
    run_job_id = None
    # Behind: a catch-up run is queued when something is left unchecked, and when the answer
    # checked much of its bound while the report covers more than the run would leave out.
    settled = datetime.now(UTC) - 2 * compliance.CATCH_UP_MARGIN
    if since.pending_rebates or since.pending_invites or (
            since.rows >= SINCE_LIMIT // 2 and compliance.instant(base["covers_until"]) < settled):
        run_job_id = _queue_quietly(queue_run)
    tally = compliance.Tally.of_report(base)
    tally.add(since.tally)
    answer = {
        **compliance.report_body(tally, compliance.rules_over_limit(cap), cap),
        "generated_at": datetime.now(UTC).isoformat(),
        "report_id": base["report_id"], "report_digest": base["digest"],
        "report_generated_at": base["generated_at"],
        "covers_until": since.covers_until,
        "since_report": {"rebates_checked": since.tally.rebates_checked,
                         "users_checked": since.tally.users_checked},
        "pending": {"rebates": since.pending_rebates, "invites": since.pending_invites},
        "run_job_id": run_job_id,
    }
    answer["digest"] = compliance.report_digest(answer)
    return answer


def _first_report(cap: int, actor: str, role: str, queue_run: QueueRun,
                  stale: bool) -> dict[str, Any]:
    """A report to start from when none fits: made now on a small graph, else queued."""
    size = compliance.graph_size()
    if size["rebates"] + size["users"] <= VERIFY_WHILE_WAITING:
        try:
            return run_and_store("first_report", actor, role)
        except DomainError as error:
            if error.status != 409:
                raise
    job_id = queue_run()
    what = (f"the latest tier report was made under another tier cap than {cap}" if stale
            else "there is no tier report yet")
    raise DomainError("report-pending", f"{what}; run {job_id} is making one: follow it at "
                      f"GET /v1/compliance/tier-report/runs/{job_id}", 503,
                      headers={"Retry-After": str(RETRY_AFTER_SECONDS)}, job_id=job_id)


def _queue_quietly(queue_run: QueueRun) -> str | None:
    """Queue a catch-up run for an answer that could not check everything; when the queue
    is down the answer still goes out, its `pending` saying what it left."""
    try:
        return queue_run()
    except DomainError as error:
        log.warning("could not queue a tier report run: %s", error.detail)
        return None
