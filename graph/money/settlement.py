"""T+N settlement: pending → confirmed → payable → credited, for everything due as of a time.

Each move is a status change and a ledger transaction with a deterministic id, committed
together, so a second or retried run moves nothing twice (docs/design.md, "Settlement").
"""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from graph import db
from graph.audit import trail
from graph.errors import refused
from graph.money import ledger
from graph.settings import get_settings
from graph.webhooks import outbox

# How far a run's as_of may lie ahead of the server's clock: a caller's clock a little fast.
FUTURE_SLACK = timedelta(minutes=5)
# How far back it may lie. A run as of the past moves only what a run as of now would move
# too, so the bound guards against a mistyped year, not against early money.
PAST_LIMIT = timedelta(days=3653)  # ten years

# (status from, status to, due query, ledger bucket from, ledger bucket to)
STEPS = (
    ("pending", "confirmed", "settlement.due_confirm", "pending", "confirmed"),
    ("confirmed", "payable", "settlement.due_payable", "confirmed", "payable"),
    ("payable", "credited", "settlement.due_credit", "payable", "available"),
)
TXN_TYPE = {"confirmed": "confirm", "payable": "payable", "credited": "credit"}


def _step(source: str, target: str, due_query: str, bucket_from: str, bucket_to: str,
          as_of: datetime, batch: int, ids: list[str] | None = None) -> int:
    settings = get_settings()

    def work(tx: Any) -> tuple[int, int]:
        due = db.run(tx, due_query, as_of=as_of, limit=batch, ids=ids,
                     window_days=settings.return_window_days,
                     delay_days=settings.settlement_delay_days)
        if not due:
            return 0, 0
        rows = [{"rebate_id": d["rebate_id"], "due": d["due"]} for d in due]
        moved = set(db.run(tx, "settlement.transition", rows=rows, **{"from": source},
                           to=target)[0]["moved"])
        txns = [
            ledger.move(f"{TXN_TYPE[target]}:{d['rebate_id']}", TXN_TYPE[target], d["kind"],
                        datetime.fromisoformat(d["due"]), d["amount_cents"],
                        user_id=d["beneficiary"], source=bucket_from, target=bucket_to,
                        rebate_id=d["rebate_id"])
            for d in due if d["rebate_id"] in moved and d["amount_cents"] > 0
        ]
        ledger.book(tx, txns, token=uuid.uuid4().hex)
        outbox.rebate_changes(tx, [(rebate_id, source) for rebate_id in sorted(moved)])
        return len(due), len(moved)

    total = 0
    while True:
        seen, moved = db.write(work)
        total += moved
        if seen < batch or moved == 0:
            return total


def check_as_of(as_of: datetime, now: datetime) -> None:
    """Refuse (422) an `as_of` later than `now` + 5 minutes, unless
    TIERGRAPH_ALLOW_FUTURE_AS_OF is set, or more than ten years before `now`."""
    if as_of > now + FUTURE_SLACK and not get_settings().allow_future_as_of:
        raise refused("as_of_in_future", (
            f"as_of {as_of.isoformat()} is later than the server's clock plus 5 minutes "
            f"({(now + FUTURE_SLACK).isoformat(timespec='seconds')}): settling as of a future "
            "time would credit rebates before their return window and holds end; settle as "
            "of now or earlier"))
    if as_of < now - PAST_LIMIT:
        raise refused("as_of_too_old", (
            f"as_of {as_of.isoformat()} is more than ten years before the server's clock "
            f"({now.isoformat(timespec='seconds')}): a mistyped year? A run as of now moves "
            "everything due by then"))


def run(as_of: datetime, actor: str, role: str, request_id: str | None = None,
        batch: int = 2000) -> dict[str, Any]:
    """Move everything due as of `as_of`; counts per status reached. An `as_of` the clock
    does not allow is refused first (check_as_of). The run is marked and audited (`actor`,
    `role`) in one transaction at its end; the moves before it are each idempotent, so a
    run cut short is completed by the next."""
    check_as_of(as_of, datetime.now(UTC))
    counts = {target: _step(source, target, query, b_from, b_to, as_of, batch)
              for source, target, query, b_from, b_to in STEPS}
    result = {"as_of": as_of.isoformat(), **counts}

    def finish(tx: Any) -> None:
        db.run(tx, "settlement.mark_run", as_of=as_of.isoformat())
        trail.append(tx, actor=actor, role=role, action="settlement.run",
                     target=f"settlement:{result['as_of']}", after=result,
                     request_id=request_id)

    db.write(finish)
    return result


def catch_up(rebate_ids: list[str], now: datetime) -> dict[str, int]:
    """Bring rebates just released from a risk hold to the status they would have had:
    confirmed and payable as their dates say by `now`, credited if a settlement run has
    credited their payable date since. Returns counts per status reached."""
    last = db.read_query("settlement.last_run")
    credit_as_of = db.to_native(last[0]["as_of"]) if last else None
    counts = {}
    for source, target, query, b_from, b_to in STEPS:
        as_of = now if target != "credited" else credit_as_of
        counts[target] = (_step(source, target, query, b_from, b_to, as_of, 2000, rebate_ids)
                          if as_of is not None else 0)
    return counts
