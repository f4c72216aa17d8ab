"""Publishing work to the workers, called only after the write transaction committed."""

import logging

from graph.settings import get_settings
from workers.app import app

log = logging.getLogger(__name__)


def enqueue_rebates(order_ids: list[str]) -> int:
    """Send rebates.compute tasks in chunks; returns the number of tasks sent.

    A failure to publish loses nothing: the orders stay uncomputed and the beat sweep (or
    the first POST /v1/orders/{id}/payouts) computes them.
    """
    size = get_settings().compute_batch_size
    sent = 0
    for start in range(0, len(order_ids), size):
        try:
            app.send_task("rebates.compute", args=[order_ids[start:start + size]])
            sent += 1
        except Exception as error:
            log.warning("could not enqueue rebates for %d orders: %s", len(order_ids), error)
            break
    return sent
