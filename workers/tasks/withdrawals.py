"""Reconciliation of withdrawals left processing (a gateway timeout, a stopped process)."""

from graph.money import withdrawals
from workers.app import app


@app.task(name="withdrawals.reconcile")
def reconcile(older_than_seconds: float = 60) -> dict:  # type: ignore[type-arg]
    """Ask the gateway about stuck withdrawals and book its answer."""
    return withdrawals.reconcile(older_than_seconds)
