"""Points: earned by points rules, shown apart from cash, convertible to cash at
TIERGRAPH_POINTS_PER_YUAN, redeemable for items the mall ships, and expiring after
TIERGRAPH_POINTS_EXPIRE_DAYS. A conversion is two balanced ledger transactions (points back
to the pool, cash out of it), a redemption one (points back to the pool), each idempotent by
its id and audited with it.

Expiry, first in first out. Which points are old is read from the ledger itself, not kept
beside it: a user's points movements of `available` (LedgerTxn nodes, kind `points`) carry
their dates, credits above zero, spending (redemptions, conversions, refunds after credit,
earlier expiries) below. Spending always takes the oldest points first, so what is left of
the points credited at or before a cutoff is what came in by then less everything that
went out since the start, never below zero:

    expired(cutoff) = max(0, credited at or before cutoff - spent)

No lot table is needed, a replay of the same history gives the same answer, and spending
needs no bookkeeping of lots (a redemption just takes from `available`). The run books that
amount for each user as one transaction `expire:<user>:<cutoff day>` (available -> pool):
the id makes a second run for the same cutoff book nothing, and the amount is zero then
anyway, since the first expiry is counted as spent. The users examined are those with a
credit that aged past the cutoff within the last EXPIRY_LOOKBACK (an index on LedgerTxn
(kind, at)), so a daily run reads only the day's aging credits; `full` examines every
credit (a credit booked with a date already past the lookback, e.g. a rebate released from a
long hold, is caught by a full run).
"""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from graph import db
from graph.audit import trail
from graph.errors import refused
from graph.money import ledger
from graph.settings import get_settings

# Credits that aged past the cutoff within this span are examined by a daily run: a week of
# missed runs is caught up by the next.
EXPIRY_LOOKBACK = timedelta(days=7)
EXPIRY_BATCH = 500  # users per write transaction
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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


def redeem(redemption_id: str, user_id: str, points: int, item: str, *, actor: str,
           role: str, request_id: str | None = None) -> tuple[dict[str, Any], bool]:
    """Spend available points on `item` (the mall ships it); returns (redemption, created
    now). One ledger transaction, available -> pool, and an audit entry, committed with the
    redemption; the same redemption again answers what is stored, another body under its id
    is a 409 conflict, more points than available a 422 insufficient_balance."""

    def work(tx: Any) -> bool:
        found = db.run(tx, "withdrawals.lock_user", user_id=user_id)[0]["found"]
        existing = db.run(tx, "points.redemption", id=redemption_id)
        if existing:
            stored = existing[0]
            if (stored["user_id"], stored["points"], stored["item"]) != (user_id, points, item):
                raise refused("conflict", f"redemption {redemption_id} exists with other "
                                          "content", status=409)
            return False
        if not found:
            raise refused("unknown_user", f"no user {user_id!r}", status=404)
        available = ledger.balances(user_id, tx)["points"]["available"]
        if points > available:
            raise refused("insufficient_balance",
                          f"{available} points available, {points} asked")
        now = datetime.now(UTC)
        db.run(tx, "points.create_redemption", now=now, r={
            "id": redemption_id, "user_id": user_id, "points": points, "item": item})
        ledger.book(tx, [ledger.move(f"redeem:{redemption_id}", "redeem", "points", now, points,
                                     user_id=user_id, source="available", target=ledger.POOL,
                                     memo=item)], token=uuid.uuid4().hex)
        trail.append(tx, actor=actor, role=role, action="points.redeem",
                     target=f"user:{user_id}", before={"points_available": available},
                     after={"points_available": available - points,
                            "redemption_id": redemption_id, "points": points, "item": item},
                     request_id=request_id)
        return True

    created = db.write(work)
    return db.read_query("points.redemption", id=redemption_id)[0], created


def expiry_cutoff(now: datetime, expire_days: int) -> datetime:
    """Points credited at or before this time have expired by `now`: the start of `now`'s
    UTC day, `expire_days` back (one cutoff per day, so one expiry id per user and day)."""
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=expire_days)


def expired_points(credited_old: int, spent: int) -> int:
    """What is left of the points credited by a cutoff once spending took the oldest first
    (pure; see the module's docstring)."""
    return max(0, credited_old - spent)


def _batches(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def expire(now: datetime | None = None, *, full: bool = False, actor: str = "beat:points",
           role: str = "admin", batch: int = EXPIRY_BATCH) -> dict[str, Any]:
    """Book out of `available` the points credited at or before the cutoff of `now`'s day
    (default: the clock) and not spent, first in first out, for the users whose credits aged past
    the cutoff in the last EXPIRY_LOOKBACK (every user with points when `full`). Returns the
    cutoff, users examined and expired, and points expired; a run that expired anything is
    audited once."""
    now = now or datetime.now(UTC)
    cutoff = expiry_cutoff(now, get_settings().points_expire_days)
    since = EPOCH if full else cutoff - EXPIRY_LOOKBACK
    users = sorted(str(user_id) for user_id in db.read_rows(
        "points.aging_users", **{"from": since.isoformat()}, cutoff=cutoff.isoformat()))
    expired_users, expired_total = 0, 0
    for chunk in _batches(users, batch):

        def work(tx: Any, chunk: list[str] = chunk) -> tuple[int, int]:
            db.run(tx, "points.lock_users", user_ids=chunk)
            # spending read under the users' locks: none committed since is missed
            flows = db.run_rows(tx, "points.flows", user_ids=chunk, cutoff=cutoff.isoformat())
            txns = [ledger.move(
                f"expire:{f['user_id']}:{cutoff.date().isoformat()}", "expire", "points", now,
                expired_points(f["credited_old"], f["spent"]), user_id=f["user_id"],
                source="available", target=ledger.POOL,
                memo=f"points credited on or before {cutoff.date().isoformat()} not spent")
                for f in flows if expired_points(f["credited_old"], f["spent"]) > 0]
            token = uuid.uuid4().hex
            # one at a time: an id stored already books nothing and is not counted
            new = [t for t in txns if ledger.book(tx, [t], token=token)]
            return len(new), sum(t.legs[1].amount_cents for t in new)

        booked, points = db.write(work)
        expired_users += booked
        expired_total += points
    result = {"cutoff": cutoff.isoformat(), "now": now.isoformat(), "users_examined": len(users),
              "users_expired": expired_users, "points_expired": expired_total}
    if expired_users:
        db.write(lambda tx: trail.append(tx, actor=actor, role=role, action="points.expire",
                                         target=f"points:expiry:{cutoff.date().isoformat()}",
                                         after=result))
    return result
