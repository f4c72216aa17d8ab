"""The growth fold on beat (every minute) and on demand: leaderboard tallies and ROI days
brought up to what was written since the last fold (graph/analytics.py)."""

from typing import Any

from graph import analytics, jobs
from workers.app import app

LOCK_SECONDS = 3600  # a fold that died holding the lock frees it after this


@app.task(name="analytics.fold")
def fold() -> dict[str, Any]:
    """Fold what changed since the last fold; idempotent (a day or tally is recounted
    whole). Skipped while another beat fold runs: the next one catches up."""
    guard = jobs.lock("analytics.fold", LOCK_SECONDS)
    if not guard.acquire():
        return {"skipped": "a fold is under way"}
    try:
        return analytics.fold()
    finally:
        guard.release()
