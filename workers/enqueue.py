"""Publishing work to the workers, called only after the write transaction committed."""

import logging
from typing import Any

from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from graph.errors import DomainError
from graph.settings import get_settings
from workers.app import app

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5
# Nothing here waits for a task's result (a job's status is kept by graph.jobs): sent with
# ignore_result, a task makes the API subscribe to no result channel, one Redis round less
# per send and no result-store error when Redis goes away.
# What publishing raises when the task queue's Redis does not answer.
QUEUE_DOWN = (OperationalError, RedisConnectionError, RedisTimeoutError)


def queue_unavailable() -> DomainError:
    """The 503 for work that could not be queued: nothing was queued, the caller retries."""
    return DomainError("queue-unavailable", "the task queue is unavailable; nothing was "
                       "queued, retry", 503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def send(task: str, args: list[Any]) -> None:
    """Queue one task, or raise the 503 `queue_unavailable` when the queue does not answer."""
    try:
        app.send_task(task, args=args, ignore_result=True)
    except QUEUE_DOWN as error:
        log.warning("could not queue %s: %s", task, error)
        raise queue_unavailable() from error


def enqueue_rebates(order_ids: list[str]) -> int:
    """Send rebates.compute tasks in chunks; returns the number of tasks sent.

    A failure to publish loses nothing: the orders stay uncomputed and the beat sweep (or
    the first POST /v1/orders/{id}/payouts) computes them.
    """
    size = get_settings().compute_batch_size
    sent = 0
    for start in range(0, len(order_ids), size):
        try:
            app.send_task("rebates.compute", args=[order_ids[start:start + size]],
                          ignore_result=True)
            sent += 1
        except Exception as error:
            log.warning("could not enqueue rebates for %d orders: %s", len(order_ids), error)
            break
    return sent
