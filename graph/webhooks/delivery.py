"""Delivering the outbox: the worker claims due deliveries, POSTs each signed body to its
endpoint, and logs the attempt: delivered on a 2xx, else retried after
TIERGRAPH_WEBHOOK_RETRY_BASE_SECONDS doubled per attempt (at most an hour apart) until 24
hours after the event, then failed.

A claim is a lease: a drain that dies mid-way leaves its deliveries to the next drain once
the lease ends, so a delivery may arrive twice (at least once; the mall drops repeats by
`id`). Redirects are not followed: a 3xx is a failed attempt, as is a URL that now
resolves into a range that may not be called (checked again before every attempt).
"""

import hashlib
import hmac
import logging
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from graph import db, metrics
from graph.settings import get_settings
from graph.users import pii
from graph.webhooks import urls

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "Tiergraph-Signature"
MAX_RETRY_DELAY = timedelta(hours=1)
BATCH = 50  # deliveries claimed at once
SENDERS = 8  # of a batch, sent side by side
ROUNDS = 20  # batches per drain; the next drain goes on
KEEP_DAYS = 30  # a delivery's log is kept this long once it is done (GET .../deliveries)
ERROR_CHARS = 300  # of an error's message, as logged
# An attempt as graph/metrics.py counts it: by the state it left its delivery in.
METRIC_OUTCOME = {"delivered": "delivered", "pending": "failed", "failed": "gave_up"}


@dataclass(frozen=True)
class Attempt:
    """What one POST came to: an HTTP status, or an error before any."""

    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The `Tiergraph-Signature` value: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
    "<t>.<body>")>."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def retry_delay(attempt: int, base_seconds: float) -> timedelta:
    """How long to wait after failed attempt number `attempt` (1, 2, ...): the base doubled
    per attempt before it, at most an hour."""
    seconds = base_seconds * 2 ** min(attempt - 1, 30)
    return min(timedelta(seconds=seconds), MAX_RETRY_DELAY)


def next_step(attempt: int, outcome: Attempt, now: datetime, expires: datetime,
              base_seconds: float) -> tuple[str, datetime | None]:
    """The delivery's state after attempt number `attempt` and when the next one is due:
    delivered; pending until the backoff (the last retry falls at the end of the window);
    failed once an attempt at or after the end of the window fails."""
    if outcome.delivered:
        return "delivered", None
    if now >= expires:
        return "failed", None
    return "pending", min(now + retry_delay(attempt, base_seconds), expires)


def post(url: str, body: bytes, secret: str, *, allow_private: bool,
         timeout: float) -> Attempt:
    """POST one signed body to `url`, connecting to the address just checked."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = urls.check(url, allow_private=allow_private)
    except urls.UrlRefused as error:
        return Attempt(None, f"refused: {error}"[:ERROR_CHARS], took())
    headers = {"Content-Type": "application/json", "Host": target.host_header,
               "User-Agent": "tiergraph-webhooks/1",
               SIGNATURE_HEADER: sign(secret, int(time.time()), body)}
    extensions = {"sni_hostname": target.host} if url.startswith("https") else {}
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
            answer = client.post(target.pinned_url, content=body, headers=headers,
                                 extensions=extensions)
        return Attempt(answer.status_code, None, took())
    except httpx.HTTPError as error:
        return Attempt(None, f"{type(error).__name__}: {error}"[:ERROR_CHARS], took())


def _attempt(delivery: dict[str, Any]) -> dict[str, Any]:
    """Send one claimed delivery; the attempt as record_attempts stores it."""
    settings = get_settings()
    number = delivery["attempts"] + 1
    try:
        secret = pii.decrypt(delivery["secret_enc"])
    except (KeyError, ValueError) as error:  # a secret sealed under a key no longer known
        outcome = Attempt(None, f"secret cannot be opened: {error}"[:ERROR_CHARS], 0)
    else:
        outcome = post(delivery["url"], delivery["body"].encode(), secret,
                       allow_private=settings.webhook_allow_private,
                       timeout=settings.webhook_timeout_seconds)
    now = datetime.now(UTC)
    state, next_at = next_step(number, outcome, now,
                               datetime.fromisoformat(delivery["expires_at"]),
                               settings.webhook_retry_base_seconds)
    metrics.webhook_delivery(METRIC_OUTCOME[state])
    if not outcome.delivered:
        log.info("webhook %s to %s: attempt %d %s (%s)", delivery["id"],
                 delivery["webhook_id"], number, outcome.status_code or outcome.error, state)
    return {"delivery_id": delivery["id"], "attempt": number, "at": now.isoformat(),
            "status_code": outcome.status_code, "error": outcome.error,
            "duration_ms": outcome.duration_ms, "state": state,
            "next_attempt_at": next_at.isoformat() if next_at else None}


def drain(limit: int = BATCH, rounds: int = ROUNDS) -> dict[str, int]:
    """Deliver what is due: claim a batch, send it side by side, log every attempt; again
    while batches come full. Returns counts per state reached."""
    counts = {"delivered": 0, "pending": 0, "failed": 0}
    lease = timedelta(seconds=get_settings().webhook_timeout_seconds * (limit / SENDERS + 2)
                      + 60)
    for _ in range(rounds):
        now = datetime.now(UTC)
        token = uuid.uuid4().hex
        claimed = db.write_query("webhooks.claim", now=now, until=now + lease, token=token,
                                 limit=limit)
        if not claimed:
            break
        with ThreadPoolExecutor(max_workers=SENDERS) as pool:
            attempts = list(pool.map(_attempt, claimed))
        db.write_query("webhooks.record_attempts", rows=attempts)
        for a in attempts:
            counts[a["state"]] += 1
        if len(claimed) < limit:
            break
    return counts


def prune(keep_days: int = KEEP_DAYS, batch: int = 5000) -> int:
    """Delete deliveries (and their attempts) that are done and older than `keep_days`;
    returns how many. Pending ones stay whatever their age."""
    before = datetime.now(UTC) - timedelta(days=keep_days)
    total = 0
    while True:
        deleted = db.write_query("webhooks.prune", before=before, limit=batch)[0]["deleted"]
        total += deleted
        if deleted < batch:
            return total


def next_due() -> datetime | None:
    """When the earliest pending delivery is due, or None."""
    due = db.read_query("webhooks.next_due")[0]["due"]
    return datetime.fromisoformat(due) if due else None
