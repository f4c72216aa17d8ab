"""Holds on rebates: a holder (a ring, or one user's signals) moves the rebates of its
members' orders to `held`; ending a hold voids them (`confirm`) or puts them back where
they were (`dismiss`), with the ledger moving the money each time.
"""

import uuid
from datetime import UTC, datetime
from typing import Any

from graph import db
from graph.money import ledger, settlement
from graph.money.rebates import STATUS_BUCKET


def hold_ring(ring_id: str, members: list[str]) -> int:
    """Hold the holdable rebates of the members' orders; returns how many were held."""
    now = datetime.now(UTC)

    def work(tx: Any) -> int:
        # Members are marked already (risk.mark_holders committed); the orders' locks make a
        # computation that read them unmarked finish first, so its rebates are found here.
        db.run(tx, "risk.lock_member_orders", user_ids=members)
        due = db.run(tx, "risk.holdable_rebates", user_ids=members)
        if not due:
            return 0
        held = set(db.run(tx, "risk.hold", at=now.isoformat(),
                          rows=[{"rebate_id": r["rebate_id"], "hold_by": ring_id}
                                for r in due])[0]["held"])
        ledger.book(tx, [
            ledger.move(f"hold:{r['rebate_id']}:{ring_id}", "hold", r["kind"], now,
                        r["amount_cents"], user_id=r["beneficiary"],
                        source=STATUS_BUCKET[r["status"]], target="held",
                        rebate_id=r["rebate_id"])
            for r in due if r["rebate_id"] in held and r["amount_cents"] > 0
        ], token=uuid.uuid4().hex)
        return len(held)

    return db.write(work)


def release(holder: str, decision: str, held: list[dict[str, Any]] | None = None,
             clear_holder: bool = True) -> int:
    """End holds: `dismiss` puts rebates back where they were (then lets them catch up
    with settlement), `confirm` voids them. Returns how many changed. `clear_holder` also
    unmarks the users the holder marked (a ring's decision); a decision on one user leaves
    the ring's other members alone."""
    now = datetime.now(UTC)
    rows = held if held is not None else db.read_query("risk.held_by", hold_by=holder)
    if not rows:
        if clear_holder:
            db.write_query("risk.clear_holder", ring_id=holder)
        return 0

    def work(tx: Any) -> list[str]:
        changes = [{"rebate_id": r["rebate_id"],
                    "status": "void" if decision == "confirm" else r["held_from"],
                    "reason": "ring_confirmed" if decision == "confirm" else r["held_reason"]}
                   for r in rows]
        done = set(db.run(tx, "risk.release", rows=changes, at=now.isoformat())[0]["released"])
        txns = []
        for r in rows:
            if r["rebate_id"] not in done or r["amount_cents"] <= 0:
                continue
            target = ledger.POOL if decision == "confirm" else STATUS_BUCKET[r["held_from"]]
            txns.append(ledger.move(
                f"{'void' if decision == 'confirm' else 'release'}:{r['rebate_id']}:{holder}",
                "void" if decision == "confirm" else "release", r["kind"], now,
                r["amount_cents"], user_id=r["beneficiary"], source="held", target=target,
                rebate_id=r["rebate_id"]))
        ledger.book(tx, txns, token=uuid.uuid4().hex)
        if clear_holder:
            db.run(tx, "risk.clear_holder", ring_id=holder)
        return sorted(done)

    done = db.write(work)
    if decision == "dismiss" and done:
        settlement.catch_up(done, now)
    return len(done)


def end_holds(user_ids: list[str], decision: str, clear_holder: bool,
               only_holders: set[str] | None = None) -> int:
    """Confirm (void) or dismiss (release) the held rebates of the users' orders, holder by
    holder (or only those of `only_holders`); returns how many changed."""
    held = db.read_query("risk.held_of_buyers", user_ids=user_ids)
    changed = 0
    for holder in sorted({r["hold_by"] for r in held}):
        if only_holders is None or holder in only_holders:
            changed += release(holder, decision, [r for r in held if r["hold_by"] == holder],
                                clear_holder=clear_holder)
    return changed
