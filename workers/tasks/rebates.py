"""Rebate tasks: compute the rebates of paid orders; sweep for orders a lost message missed."""

from celery.utils.log import get_task_logger

from graph.money.rebates import compute_rebates, uncomputed_orders
from workers.app import app

log = get_task_logger(__name__)


@app.task(name="rebates.compute", bind=True, max_retries=10, default_retry_delay=2)
def compute(self, order_ids: list[str]) -> int:  # type: ignore[no-untyped-def]
    """Compute rebates for the listed orders (those already computed are left alone)."""
    try:
        return compute_rebates(order_ids)
    except Exception as error:  # Neo4j unavailable, deadlock beyond driver retries, ...
        log.warning("rebates.compute of %d orders failed, retrying: %s", len(order_ids), error)
        raise self.retry(exc=error) from error


@app.task(name="rebates.sweep")
def sweep(older_than_seconds: int = 30, limit: int = 5000) -> int:
    """Compute rebates of paid orders left uncomputed (a task message lost with Redis)."""
    order_ids = uncomputed_orders(older_than_seconds, limit)
    return compute_rebates(order_ids) if order_ids else 0
