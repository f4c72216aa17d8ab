"""Withdrawals: a user's available cash out through the payout gateway, exactly once.

A request reserves the amount; when the user's total of the day reaches the review threshold
two admins approve, one rejects, the mall cancels, or the review expires (the reserve goes
back); the gateway's answer books the reserve out or back, and a timeout is reconciled by
withdrawal id. Every movement is audited in the transaction that books it (docs/design.md,
"Withdrawals").
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from graph import db, paging
from graph.audit import trail
from graph.errors import DomainError, not_found, refused
from graph.money import ledger
from graph.money.gateway import GatewayTimeout, GatewayUnavailable, get_gateway
from graph.settings import get_settings
from graph.webhooks import outbox

log = logging.getLogger(__name__)
CHINA = timezone(timedelta(hours=8))  # the daily limit resets at midnight, mall time
RELEASED = ("failed", "rejected", "cancelled", "expired")  # the reserve went back to the user
RETRY_AFTER_SECONDS = 5
CLOSING_ACTIONS = {"rejected": "withdrawal.reject", "cancelled": "withdrawal.cancel",
                   "expired": "withdrawal.expire"}


@dataclass(frozen=True)
class Actor:
    """Who moves a withdrawal, for its audit entries."""

    actor: str
    role: str
    request_id: str | None = None


RECONCILER = Actor("system:reconcile", "admin")
EXPIRY = Actor("system:expiry", "admin")


def get(withdrawal_id: str) -> dict[str, Any] | None:
    """A withdrawal as stored, or None."""
    rows = db.read_query("withdrawals.get", id=withdrawal_id)
    return rows[0] if rows else None


def _unavailable(withdrawal_id: str, reserved: bool) -> DomainError:
    """The 503 for a gateway that cannot be reached; retrying the same id is safe."""
    detail = (f"the payout gateway cannot be reached; withdrawal {withdrawal_id} is reserved "
              "and goes out once it answers: retry with the same withdrawal_id" if reserved
              else "the payout gateway cannot be reached; nothing was reserved, retry")
    return DomainError("gateway-unavailable", detail, 503,
                       headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                       reason="gateway_unavailable")


def _check_risk(tx: Any, user_id: str) -> None:
    """Refuse (risk-blocked) while the user is disabled, confirmed as fraud, or a member of a
    ring at or above the hold score that is not dismissed, or of a confirmed ring."""
    rows = db.run(tx, "withdrawals.risk_block", user_id=user_id,
                  hold_score=get_settings().hold_score)
    if not rows:
        return
    block = rows[0]
    why = ("is disabled" if block["disabled"]
           else "is confirmed as fraud" if block["confirmed"] or "confirmed" in block["rings"]
           else "is under risk review" if block["rings"] else None)
    if why is not None:
        raise refused("risk_blocked", f"user {user_id} {why}: no withdrawal until it is cleared")


def request(withdrawal_id: str, user_id: str, amount_cents: int, *,
            by: Actor) -> tuple[dict[str, Any], bool]:
    """Ask for a withdrawal; returns (withdrawal, created now). A replay answers what is
    stored and sends a transfer left unfinished again. Raises DomainError if refused."""
    settings = get_settings()
    reachable = get_gateway().reachable()

    def work(tx: Any) -> bool:
        found = db.run(tx, "withdrawals.lock_user", user_id=user_id)[0]["found"]
        existing = db.run(tx, "withdrawals.get", id=withdrawal_id)
        if existing:
            w = existing[0]
            if (w["user_id"], w["amount_cents"]) != (user_id, amount_cents):
                raise refused("conflict", f"withdrawal {withdrawal_id} exists with "
                                          "other content", status=409)
            return False
        if not found:
            raise refused("unknown_user", f"no user {user_id!r}", status=404)
        _check_risk(tx, user_id)
        if amount_cents < settings.withdraw_min_cents:
            raise refused("below_minimum", f"the minimum withdrawal is "
                                           f"{settings.withdraw_min_cents} cents")
        available = ledger.balances(user_id, tx)["cash"]["available"]
        if amount_cents > available:
            raise refused("insufficient_balance",
                          f"{available} cents available, {amount_cents} asked")
        now = datetime.now(UTC)
        since = datetime.now(CHINA).replace(hour=0, minute=0, second=0, microsecond=0)
        today = db.run(tx, "withdrawals.day_total", user_id=user_id, since=since,
                       released=list(RELEASED))[0]["cents"]
        if today + amount_cents > settings.withdraw_daily_limit_cents:
            raise refused("daily_limit", f"{today} cents withdrawn today; the daily "
                                         f"limit is {settings.withdraw_daily_limit_cents}")
        # The threshold is on the day's total, so amounts just under it are reviewed too.
        reviewed = today + amount_cents >= settings.withdraw_review_cents
        if not reviewed and not reachable:
            raise _unavailable(withdrawal_id, reserved=False)
        status = "pending_review" if reviewed else "processing"
        # No relationship to the user: one to a locked node deadlocks concurrent requests.
        if not db.run(tx, "withdrawals.create", now=now, token=uuid.uuid4().hex, w={
                "id": withdrawal_id, "user_id": user_id, "amount_cents": amount_cents,
                "status": status})[0]["created"]:
            raise refused("conflict", f"withdrawal {withdrawal_id} was asked at the same time "
                                      "for another user", status=409)
        ledger.book(tx, [ledger.move(f"reserve:{withdrawal_id}", "reserve", "cash", now,
                                     amount_cents, user_id=user_id, source="available",
                                     target="withdrawing")], token=uuid.uuid4().hex)
        _audit(tx, by, "withdrawal.request", withdrawal_id, before=None,
               after={"user_id": user_id, "amount_cents": amount_cents, "status": status,
                      "day_total_cents": today + amount_cents})
        return True

    created = db.write(work)
    _send_or_503(withdrawal_id, by)  # a replay finishes what a failure left processing
    found = get(withdrawal_id)
    assert found is not None
    return found, created


def approve(withdrawal_id: str, *, by: Actor) -> dict[str, Any]:
    """An admin's approval; the second distinct admin's sends the transfer."""
    reachable = get_gateway().reachable()

    def work(tx: Any) -> bool:
        w = _locked(tx, withdrawal_id)
        if by.actor in w["approvals"]:
            raise refused("same_approver", "a second approval must come from a "
                                           "different admin", status=409)
        _check_risk(tx, w["user_id"])
        approvals = [*w["approvals"], by.actor]
        ready = len(approvals) >= 2
        if ready and not reachable:
            raise _unavailable(withdrawal_id, reserved=False)
        db.run(tx, "withdrawals.set_state", id=withdrawal_id, now=datetime.now(UTC),
               status="processing" if ready else "pending_review", reason=None,
               approvals=approvals, gateway_state=None)
        _audit(tx, by, "withdrawal.approve", withdrawal_id,
               before={"status": w["status"], "approvals": w["approvals"]},
               after={"approvals": approvals, "amount_cents": w["amount_cents"]})
        return ready

    if db.write(work):
        _send_or_503(withdrawal_id, by)
    found = get(withdrawal_id)
    assert found is not None
    return found


def reject(withdrawal_id: str, note: str | None, *, by: Actor) -> dict[str, Any]:
    """An admin turns down a withdrawal under review: the reserve goes back to available."""
    _release(withdrawal_id, "rejected", "review_rejected", note, by)
    found = get(withdrawal_id)
    assert found is not None
    return found


def cancel(withdrawal_id: str, *, by: Actor) -> dict[str, Any]:
    """The mall withdraws a request still under review: the reserve goes back to available."""
    _release(withdrawal_id, "cancelled", "cancelled", None, by)
    found = get(withdrawal_id)
    assert found is not None
    return found


def expire_reviews(now: datetime | None = None, limit: int = 500) -> int:
    """Close reviews older than TIERGRAPH_WITHDRAW_REVIEW_EXPIRE_DAYS, giving their reserve
    back; returns how many expired."""
    days = get_settings().withdraw_review_expire_days
    before = (now or datetime.now(UTC)) - timedelta(days=days)
    expired = 0
    for row in db.read_query("withdrawals.overdue", before=before, limit=limit):
        if _release(row["id"], "expired", "review_expired", None, EXPIRY, strict=False):
            expired += 1
    return expired


def _locked(tx: Any, withdrawal_id: str) -> dict[str, Any]:
    """The withdrawal under its write lock; refused unless it awaits review."""
    if not db.run(tx, "withdrawals.lock", id=withdrawal_id)[0]["found"]:
        raise not_found(f"withdrawal {withdrawal_id!r}")
    w = db.run(tx, "withdrawals.get", id=withdrawal_id)[0]
    if w["status"] != "pending_review":
        raise refused("not_pending_review",
                      f"withdrawal is {w['status']}, not pending_review", status=409)
    return w


def _release(withdrawal_id: str, status: str, reason: str, note: str | None, by: Actor,
             strict: bool = True) -> bool:
    """Close a withdrawal under review as `status` and book its reserve back, audited. With
    strict=False one no longer under review is left alone (False) instead of refused."""

    def work(tx: Any) -> bool:
        try:
            w = _locked(tx, withdrawal_id)
        except DomainError:
            if strict:
                raise
            return False
        now = datetime.now(UTC)
        ledger.book(tx, [ledger.move(f"unreserve:{withdrawal_id}", "unreserve", "cash", now,
                                     w["amount_cents"], user_id=w["user_id"],
                                     source="withdrawing", target="available")],
                    token=uuid.uuid4().hex)
        db.run(tx, "withdrawals.close", id=withdrawal_id, now=now, status=status,
               reason=reason, note=note)
        _audit(tx, by, CLOSING_ACTIONS[status], withdrawal_id,
               before={"status": w["status"], "approvals": w["approvals"]},
               after={"status": status, "note": note, "amount_cents": w["amount_cents"]})
        if status == "rejected":
            outbox.emit(tx, outbox.WITHDRAWAL_REJECTED, [_told(w, status, reason, note)], now)
        return True

    return db.write(work)


def _audit(tx: Any, by: Actor, action: str, withdrawal_id: str, *, before: Any,
           after: Any) -> None:
    trail.append(tx, actor=by.actor, role=by.role, action=action,
                 target=f"withdrawal:{withdrawal_id}", before=before, after=after,
                 request_id=by.request_id)


def _told(w: dict[str, Any], status: str, reason: str | None,
          note: str | None) -> dict[str, Any]:
    """A withdrawal's webhook data as it just became."""
    return {"withdrawal_id": w["withdrawal_id"], "user_id": w["user_id"],
            "amount_cents": w["amount_cents"], "status": status, "reason": reason,
            "note": note}


def _send_or_503(withdrawal_id: str, by: Actor) -> None:
    """Send a processing withdrawal; a gateway out of reach is a 503 (the reserve stays, and
    a retry of the same id or the reconciliation sends it)."""
    try:
        _send(withdrawal_id, by)
    except GatewayUnavailable:
        raise _unavailable(withdrawal_id, reserved=True) from None


def _send(withdrawal_id: str, by: Actor) -> None:
    """Send a processing withdrawal to the gateway under its id (the idempotency key: asking
    again pays once) and book the answer; a timeout is left for the reconciliation."""
    w = get(withdrawal_id)
    if w is None or w["status"] != "processing":
        return
    try:
        outcome = get_gateway().transfer(withdrawal_id, w["user_id"], w["amount_cents"])
    except GatewayUnavailable:
        _mark(withdrawal_id, "unavailable")
        raise
    except GatewayTimeout:
        _mark(withdrawal_id, "timeout")
        return
    _finish(withdrawal_id, outcome, by)


def _mark(withdrawal_id: str, gateway_state: str) -> None:
    """Record that the gateway's answer is unknown (the money stays reserved)."""

    def work(tx: Any) -> None:
        db.run(tx, "withdrawals.lock", id=withdrawal_id)
        w = db.run(tx, "withdrawals.get", id=withdrawal_id)[0]
        if w["status"] == "processing":
            db.run(tx, "withdrawals.set_state", id=withdrawal_id, now=datetime.now(UTC),
                   status="processing", reason=None, approvals=w["approvals"],
                   gateway_state=gateway_state)

    db.write(work)


def _finish(withdrawal_id: str, outcome: str, by: Actor) -> None:
    """Book the gateway's final answer once: pay the reserve out, or give it back."""

    def work(tx: Any) -> None:
        db.run(tx, "withdrawals.lock", id=withdrawal_id)
        w = db.run(tx, "withdrawals.get", id=withdrawal_id)[0]
        if w["status"] != "processing":
            return
        now = datetime.now(UTC)
        if outcome == "completed":
            txn = ledger.move(f"withdraw:{withdrawal_id}", "withdraw", "cash", now,
                              w["amount_cents"], user_id=w["user_id"], source="withdrawing",
                              target=ledger.GATEWAY)
            status, reason = "completed", None
        else:
            txn = ledger.move(f"unreserve:{withdrawal_id}", "unreserve", "cash", now,
                              w["amount_cents"], user_id=w["user_id"], source="withdrawing",
                              target="available")
            status, reason = "failed", "gateway_failed"
        ledger.book(tx, [txn], token=uuid.uuid4().hex)
        db.run(tx, "withdrawals.set_state", id=withdrawal_id, now=now, status=status,
               reason=reason, approvals=w["approvals"], gateway_state=outcome)
        action = ("withdrawal.reconcile" if by is RECONCILER
                  else "withdrawal.complete" if status == "completed" else "withdrawal.fail")
        _audit(tx, by, action, withdrawal_id,
               before={"status": w["status"], "gateway_state": w["gateway_state"]},
               after={"status": status, "reason": reason, "amount_cents": w["amount_cents"]})
        if status == "completed":
            outbox.emit(tx, outbox.WITHDRAWAL_COMPLETED, [_told(w, status, reason, None)], now)

    db.write(work)


def reconcile(older_than_seconds: float = 60, limit: int = 500) -> dict[str, int]:
    """Settle withdrawals left processing: ask the gateway; a transfer it never received is
    sent again under the same id (its idempotency key), never as a new payment. Stops at a
    gateway out of reach (the next run goes on)."""
    before = datetime.now(UTC) - timedelta(seconds=older_than_seconds)
    counts = {"completed": 0, "failed": 0, "resent": 0}
    gateway = get_gateway()
    try:
        for row in db.read_query("withdrawals.stuck", before=before, limit=limit):
            state = gateway.status(row["id"])
            if state in ("completed", "failed"):
                _finish(row["id"], state, RECONCILER)
                counts[state] += 1
            else:
                _send(row["id"], RECONCILER)
                counts["resent"] += 1
    except GatewayUnavailable as error:
        log.warning("withdrawal reconciliation stopped, the gateway is out of reach: %s", error)
    return counts


def _after(keys: list[Any]) -> tuple[datetime, str]:
    """The keyset a cursor carries: (created_at, withdrawal id)."""
    at, last_id = keys
    moment = datetime.fromisoformat(at)
    if moment.tzinfo is None or not isinstance(last_id, str):
        raise ValueError("not a keyset")
    return moment, last_id


def _decode_cursor(cursor: str | None) -> tuple[datetime | None, str | None]:
    """The keyset a cursor carries, or (None, None) for the first page."""
    return paging.decode(cursor, _after) or (None, None)


def _page(rows: list[dict[str, Any]], limit: int) -> dict[str, Any]:
    return paging.page(rows, limit, lambda row: [row["created_at"], row["withdrawal_id"]])


def list_all(status: str | None, limit: int, cursor: str | None) -> dict[str, Any]:
    """Withdrawals (of one status: pending_review is the review queue), oldest first, a page
    at a time (keyset paging: what is requested meanwhile comes on later pages)."""
    after_at, after_id = _decode_cursor(cursor)
    if status is None:
        rows = db.read_query("withdrawals.page", after_at=after_at, after_id=after_id,
                             limit=limit + 1)
    else:
        rows = db.read_query("withdrawals.page_status", status=status, after_at=after_at,
                             after_id=after_id, limit=limit + 1)
    return _page(rows, limit)


def list_of_user(user_id: str, status: str | None, limit: int,
                 cursor: str | None) -> dict[str, Any]:
    """A user's withdrawals, newest first, a page at a time; 404 for an unknown user."""
    after_at, after_id = _decode_cursor(cursor)
    row = db.read_query("withdrawals.page_user", user_id=user_id, status=status,
                        after_at=after_at, after_id=after_id, limit=limit + 1)[0]
    if not row["found"]:
        raise not_found(f"user {user_id!r}")
    return _page(row["rows"], limit)
