"""Manual adjustments: an operator credits or debits a user's available balance (a goodwill
credit, a correction), with a reason. Each is one balanced ledger transaction against the
mall's pool and an audit entry, committed together; idempotent by adjustment id. A debit
may not take the balance below zero: only a refund after crediting creates a debt.
"""

import uuid
from datetime import UTC, datetime
from typing import Any

from graph import db
from graph.audit import trail
from graph.errors import refused
from graph.money import ledger


def adjust(adjustment_id: str, user_id: str, kind: str, amount_cents: int, reason: str, *,
           actor: str, role: str, request_id: str | None = None) -> tuple[dict[str, Any], bool]:
    """Book the adjustment; returns (adjustment, created now). A replay with the same content
    answers what is stored; other content under the same id is a conflict."""
    wanted = {"user_id": user_id, "kind": kind, "amount_cents": amount_cents, "reason": reason}

    def work(tx: Any) -> bool:
        found = db.run(tx, "withdrawals.lock_user", user_id=user_id)[0]["found"]
        existing = db.run(tx, "ledger.adjustment", id=adjustment_id)
        if existing:
            if {k: existing[0][k] for k in wanted} != wanted:
                raise refused("conflict", f"adjustment {adjustment_id} exists with other "
                                               "content", status=409)
            return False
        if not found:
            raise refused("unknown_user", f"no user {user_id!r}", status=404)
        before = ledger.balances(user_id, tx)[kind]["available"]
        if before + amount_cents < 0:
            raise refused("insufficient_balance",
                               f"{before} available; a debit of {-amount_cents} would owe")
        now = datetime.now(UTC)
        db.run(tx, "ledger.create_adjustment", now=now,
               a={"id": adjustment_id, "actor": actor, **wanted})
        credit = amount_cents > 0
        ledger.book(tx, [ledger.move(
            f"manual:{adjustment_id}", "manual", kind, now, abs(amount_cents), user_id=user_id,
            source=ledger.POOL if credit else "available",
            target="available" if credit else ledger.POOL, memo=reason)],
            token=uuid.uuid4().hex)
        trail.append(tx, actor=actor, role=role, action="ledger.adjust",
                     target=f"user:{user_id}", before={"available": before, "kind": kind},
                     after={"available": before + amount_cents, "kind": kind,
                            "adjustment_id": adjustment_id, "reason": reason},
                     request_id=request_id)
        return True

    created = db.write(work)
    return db.read_query("ledger.adjustment", id=adjustment_id)[0], created
