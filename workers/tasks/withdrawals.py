"""Withdrawals left behind: reconciliation of those left processing (a gateway timeout, a
stopped process) and expiry of reviews nobody decided."""

from datetime import datetime

from graph.money import withdrawals
from workers.app import app


@app.task(name="withdrawals.reconcile")
def reconcile(older_than_seconds: float = 60) -> dict:  # type: ignore[type-arg]
    """Ask the gateway about stuck withdrawals and book its answer."""
    return withdrawals.reconcile(older_than_seconds)


@app.task(name="withdrawals.expire")
def expire(as_of: str | None = None) -> int:
    """Close reviews past TIERGRAPH_WITHDRAW_REVIEW_EXPIRE_DAYS (at `as_of`, ISO 8601 with an
    offset, default now), giving their reserve back; returns how many."""
    return withdrawals.expire_reviews(datetime.fromisoformat(as_of) if as_of else None)
