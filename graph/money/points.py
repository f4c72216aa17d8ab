"""Points: earned by points rules, shown apart from cash, convertible to cash at
TIERGRAPH_POINTS_PER_YUAN. A conversion is two balanced ledger transactions (points back to
the pool, cash out of it), idempotent by conversion id, and audited with them."""

import uuid
from datetime import UTC, datetime
from typing import Any

from graph import db
from graph.audit import trail
from graph.errors import refused
from graph.money import ledger
from graph.settings import get_settings


def convert(conversion_id: str, user_id: str, points: int, *, actor: str, role: str,
            request_id: str | None = None) -> tuple[dict[str, Any], bool]:
    """Turn available points into available cash; returns (conversion, created now). The
    conversion is audited (`actor`, `role`) in its own transaction; a replay adds nothing."""
    per_yuan = get_settings().points_per_yuan

    def work(tx: Any) -> bool:
        found = db.run(tx, "withdrawals.lock_user", user_id=user_id)[0]["found"]
        existing = db.run(tx, "ledger.conversion", id=conversion_id)
        if existing:
            if (existing[0]["user_id"], existing[0]["points"]) != (user_id, points):
                raise refused("conflict", f"conversion {conversion_id} exists with "
                                                    "other content", status=409)
            return False
        if not found:
            raise refused("unknown_user", f"no user {user_id!r}", status=404)
        before = ledger.balances(user_id, tx)
        available = before["points"]["available"]
        if points > available:
            raise refused("insufficient_balance",
                                    f"{available} points available, {points} asked")
        cents = points * 100 // per_yuan
        if cents < 1:
            raise refused("below_minimum", f"{points} points are worth less than a cent")
        now = datetime.now(UTC)
        db.run(tx, "ledger.create_conversion", now=now, c={
            "id": conversion_id, "user_id": user_id, "points": points, "cents": cents})
        ledger.book(tx, [
            ledger.move(f"convert:{conversion_id}:points", "convert", "points", now, points,
                        user_id=user_id, source="available", target=ledger.POOL),
            ledger.move(f"convert:{conversion_id}:cash", "convert", "cash", now, cents,
                        user_id=user_id, source=ledger.POOL, target="available"),
        ], token=uuid.uuid4().hex)
        cash = before["cash"]["available"]
        trail.append(tx, actor=actor, role=role, action="points.convert",
                     target=f"user:{user_id}",
                     before={"points_available": available, "cash_available": cash},
                     after={"points_available": available - points,
                            "cash_available": cash + cents, "conversion_id": conversion_id,
                            "points": points, "cents": cents},
                     request_id=request_id)
        return True

    created = db.write(work)
    return db.read_query("ledger.conversion", id=conversion_id)[0], created
