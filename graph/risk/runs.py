"""What a detection run reads from the last one and leaves for the next, in Neo4j: the time
from which writes may be unseen, the seed, the last full run, and the users written since
(graph/risk/incremental.py is the pure part that uses them)."""

from datetime import datetime, timedelta
from typing import Any

from neo4j import ManagedTransaction

from graph import db
from graph.risk.incremental import LastRun

# SHOW TRANSACTIONS gives start times to the millisecond: look back one more.
MARGIN = timedelta(milliseconds=1)


def since_now() -> datetime:
    """Where the next run starts looking for touched users: the database's clock now, or the
    start of a transaction open now if one is older (its writes carry its time and may commit
    after this run has read the graph)."""
    row = db.read_query("risk.detection_clock")[0]
    now = db.to_native(row["now"])
    oldest = db.to_native(row["oldest"]) if row["oldest"] is not None else now
    return min(now, oldest) - MARGIN


def last_run() -> LastRun | None:
    """What the last successful run left, or None before the first."""
    rows = db.read_query("risk.detection_state")
    if not rows or rows[0]["since"] is None or rows[0]["full_at"] is None:
        return None
    row = rows[0]
    return LastRun(since=db.to_native(row["since"]), seed=int(row["seed"]),
                   scorer=str(row["scorer"]), full_at=db.to_native(row["full_at"]))


def touched_since(since: datetime) -> set[str]:
    """The users with a registration, session, order or refund written at `since` or later."""
    return {str(user) for user in db.read_rows("risk.touched_users", since=since.isoformat())}


def record(tx: ManagedTransaction, run_id: str, mode: str, seed: int, scorer: str,
           since: datetime, at: str) -> None:
    """Leave this run's state for the next, in the run's closing transaction."""
    run: dict[str, Any] = {"id": run_id, "mode": mode, "seed": seed, "scorer": scorer,
                           "since": since.isoformat(), "at": at}
    db.run(tx, "risk.record_detection", run=run)
