"""Withdrawals: a user's available cash out through the payout gateway, exactly once.

A request reserves the amount; above the review threshold two admins approve; the gateway's
answer books the reserve out or back, and a timeout is reconciled by withdrawal id
(docs/design.md, "Withdrawals").
"""

import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from graph import db
from graph.audit import trail
from graph.errors import refused
from graph.money import ledger
from graph.money.gateway import GatewayTimeout, get_gateway
from graph.settings import get_settings

CHINA = timezone(timedelta(hours=8))  # the daily limit resets at midnight, mall time


def get(withdrawal_id: str) -> dict[str, Any] | None:
    """A withdrawal as stored, or None."""
    rows = db.read_query("withdrawals.get", id=withdrawal_id)
    return rows[0] if rows else None


def request(withdrawal_id: str, user_id: str, amount_cents: int) -> tuple[dict[str, Any], bool]:
    """Ask for a withdrawal; returns (withdrawal, created now). Raises DomainError if refused."""
    settings = get_settings()

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
        if amount_cents < settings.withdraw_min_cents:
            raise refused("below_minimum", f"the minimum withdrawal is "
                                                     f"{settings.withdraw_min_cents} cents")
        available = ledger.balances(user_id, tx)["cash"]["available"]
        if amount_cents > available:
            raise refused("insufficient_balance",
                                    f"{available} cents available, {amount_cents} asked")
        now = datetime.now(UTC)
        since = datetime.now(CHINA).replace(hour=0, minute=0, second=0, microsecond=0)
        today = db.run(tx, "withdrawals.day_total", user_id=user_id, since=since)[0]["cents"]
        if today + amount_cents > settings.withdraw_daily_limit_cents:
            raise refused("daily_limit", f"{today} cents withdrawn today; the daily "
                                         f"limit is {settings.withdraw_daily_limit_cents}")
        status = ("pending_review" if amount_cents >= settings.withdraw_review_cents
                  else "processing")
        db.run(tx, "withdrawals.create", now=now, w={
            "id": withdrawal_id, "user_id": user_id, "amount_cents": amount_cents,
            "status": status})
        ledger.book(tx, [ledger.move(f"reserve:{withdrawal_id}", "reserve", "cash", now,
                                     amount_cents, user_id=user_id, source="available",
                                     target="withdrawing")], token=uuid.uuid4().hex)
        return True

    created = db.write(work)
    if created:
        transfer(withdrawal_id)
    found = get(withdrawal_id)
    assert found is not None
    return found, created


def approve(withdrawal_id: str, *, actor: str, role: str,
            request_id: str | None = None) -> dict[str, Any]:
    """An admin's approval; the second distinct admin's sends the transfer."""

    def work(tx: Any) -> bool:
        if not db.run(tx, "withdrawals.lock", id=withdrawal_id)[0]["found"]:
            raise refused("not_found", f"no withdrawal {withdrawal_id!r}", status=404)
        w = db.run(tx, "withdrawals.get", id=withdrawal_id)[0]
        if w["status"] != "pending_review":
            raise refused("not_pending_review",
                                    f"withdrawal is {w['status']}, not pending_review", status=409)
        if actor in w["approvals"]:
            raise refused("same_approver", "a second approval must come from a "
                                                     "different admin", status=409)
        approvals = [*w["approvals"], actor]
        ready = len(approvals) >= 2
        db.run(tx, "withdrawals.set_state", id=withdrawal_id, now=datetime.now(UTC),
               status="processing" if ready else "pending_review", reason=None,
               approvals=approvals, gateway_state=None)
        trail.append(tx, actor=actor, role=role, action="withdrawal.approve",
                     target=f"withdrawal:{withdrawal_id}",
                     before={"status": w["status"], "approvals": w["approvals"]},
                     after={"approvals": approvals, "amount_cents": w["amount_cents"]},
                     request_id=request_id)
        return ready

    if db.write(work):
        transfer(withdrawal_id)
    found = get(withdrawal_id)
    assert found is not None
    return found


def transfer(withdrawal_id: str) -> None:
    """Send a processing withdrawal to the gateway and book the answer (none on timeout)."""
    w = get(withdrawal_id)
    if w is None or w["status"] != "processing":
        return
    try:
        outcome = get_gateway().transfer(withdrawal_id, w["user_id"], w["amount_cents"])
    except GatewayTimeout:
        _mark_timeout(withdrawal_id)
        return
    _finish(withdrawal_id, outcome)


def _mark_timeout(withdrawal_id: str) -> None:
    def work(tx: Any) -> None:
        db.run(tx, "withdrawals.lock", id=withdrawal_id)
        w = db.run(tx, "withdrawals.get", id=withdrawal_id)[0]
        if w["status"] == "processing":
            db.run(tx, "withdrawals.set_state", id=withdrawal_id, now=datetime.now(UTC),
                   status="processing", reason=None, approvals=w["approvals"],
                   gateway_state="timeout")

    db.write(work)


def _finish(withdrawal_id: str, outcome: str) -> None:
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

    db.write(work)


def reconcile(older_than_seconds: float = 60, limit: int = 500) -> dict[str, int]:
    """Settle withdrawals left processing: ask the gateway; a transfer it never received is
    sent again under the same id (its idempotency key), never as a new payment."""
    before = datetime.now(UTC) - timedelta(seconds=older_than_seconds)
    counts = {"completed": 0, "failed": 0, "resent": 0}
    gateway = get_gateway()
    for row in db.read_query("withdrawals.stuck", before=before, limit=limit):
        state = gateway.status(row["id"])
        if state in ("completed", "failed"):
            _finish(row["id"], state)
            counts[state] += 1
        else:
            transfer(row["id"])
            counts["resent"] += 1
    return counts
