"""Holds on rebates: a holder (a ring, or one user's signals) moves the rebates of its
members' orders to `held`; ending a hold voids them (`confirm`) or puts them back where
they were (`dismiss`), with the ledger moving the money each time. A confirmation reaches
credited money too: it is clawed back from `available`, which then owes what was withdrawn.

A team bonus is a rebate of its leader's: a member's bonuses are held, voided and released
with the rebates of the member's orders. A confirmation also takes the confirmed buyers'
orders out of the team sales of the bonuses that counted them, which are lowered as a
refund lowers them (graph/money/team_bonuses.py).
"""

import uuid
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from neo4j import ManagedTransaction

from graph import db
from graph.money import ledger, settlement, team_bonuses
from graph.money.rebates import STATUS_BUCKET
from graph.webhooks import outbox

FRAUD = "ring_confirmed"  # the reason of every rebate a confirmation voids or claws back
MONEY_KEYS = ("voided_cents", "clawed_back_cents", "debt_cents")
Money = dict[str, dict[str, int]]  # kind -> voided_cents, clawed_back_cents, debt_cents


# Rings are held a batch of at most this many members a transaction.
HOLD_BATCH_MEMBERS = 2000


def hold_ring(ring_id: str, members: list[str]) -> int:
    """Hold the holdable rebates of the members' orders and the team bonuses they lead;
    returns how many were held."""
    return hold_rings([(ring_id, members)])


def hold_rings(rings: list[tuple[str, list[str]]]) -> int:
    """`hold_ring` for each (ring id, members), several rings a transaction (a run holds
    thousands; rings share no member); returns how many rebates were held in all."""
    held, batch, size = 0, [], 0
    for ring in rings:
        batch.append(ring)
        size += len(ring[1])
        if size >= HOLD_BATCH_MEMBERS:
            held += _hold_batch(batch)
            batch, size = [], 0
    return held + (_hold_batch(batch) if batch else 0)


def _hold_batch(rings: list[tuple[str, list[str]]]) -> int:
    now = datetime.now(UTC)
    ring_of = {member: ring_id for ring_id, members in rings for member in members}
    members = sorted(ring_of)

    def work(tx: Any) -> int:
        # Members are marked already (risk.mark_holders committed); the orders' locks make a
        # computation that read them unmarked finish first, so its rebates are found here.
        # Their rebates are locked before they are read, so a status just committed by
        # settlement is the one read (a credited rebate is not held).
        db.run(tx, "risk.lock_member_orders", user_ids=members)
        db.run(tx, "risk.lock_member_rebates", user_ids=members,
               holders=sorted(ring_id for ring_id, _ in rings), counting=False)
        due = db.run(tx, "risk.holdable_rebates", user_ids=members)
        if not due:
            return 0
        holder = {r["rebate_id"]: ring_of[r["buyer"]] for r in due}
        held = set(db.run(tx, "risk.hold", at=now.isoformat(),
                          rows=[{"rebate_id": r["rebate_id"], "hold_by": holder[r["rebate_id"]]}
                                for r in due])[0]["held"])
        ledger.book(tx, [
            ledger.move(f"hold:{r['rebate_id']}:{holder[r['rebate_id']]}", "hold", r["kind"],
                        now, r["amount_cents"], user_id=r["beneficiary"],
                        source=STATUS_BUCKET[r["status"]], target="held",
                        rebate_id=r["rebate_id"])
            for r in due if r["rebate_id"] in held and r["amount_cents"] > 0
        ], token=uuid.uuid4().hex)
        outbox.rebate_changes(tx, [(r["rebate_id"], r["status"]) for r in due
                                   if r["rebate_id"] in held], at=now)
        return len(held)

    return db.write(work)


def _end_in_tx(tx: ManagedTransaction, rows: list[dict[str, Any]], decision: str,
               now: datetime) -> list[str]:
    """End the holds of `rows` (held rebates, each naming its `hold_by`) in the caller's
    transaction: void them or put them back; returns the ids that changed."""
    if not rows:
        return []
    changes = [{"rebate_id": r["rebate_id"],
                "status": "void" if decision == "confirm" else r["held_from"],
                "reason": FRAUD if decision == "confirm" else r["held_reason"]}
               for r in rows]
    done = set(db.run(tx, "risk.release", rows=changes, at=now.isoformat())[0]["released"])
    txns = []
    for r in rows:
        if r["rebate_id"] not in done or r["amount_cents"] <= 0:
            continue
        target = ledger.POOL if decision == "confirm" else STATUS_BUCKET[r["held_from"]]
        txns.append(ledger.move(
            f"{'void' if decision == 'confirm' else 'release'}:{r['rebate_id']}:{r['hold_by']}",
            "void" if decision == "confirm" else "release", r["kind"], now,
            r["amount_cents"], user_id=r["beneficiary"], source="held", target=target,
            rebate_id=r["rebate_id"]))
    ledger.book(tx, txns, token=uuid.uuid4().hex)
    outbox.rebate_changes(tx, [(rebate_id, "held") for rebate_id in sorted(done)], at=now)
    return sorted(done)


def release(holder: str, decision: str, clear_holder: bool = True) -> int:
    """End the holds of `holder` (a lapsed ring's, say): `dismiss` puts rebates back where
    they were (then lets them catch up with settlement), `confirm` voids them. Returns how
    many changed. `clear_holder` also unmarks the users the holder marked."""
    now = datetime.now(UTC)
    rows = [{**r, "hold_by": holder} for r in db.read_query("risk.held_by", hold_by=holder)]

    def work(tx: Any) -> list[str]:
        done = _end_in_tx(tx, rows, decision, now)
        if clear_holder:
            db.run(tx, "risk.clear_holder", ring_id=holder)
        return done

    done = db.write(work)
    if decision == "dismiss" and done:
        settlement.catch_up(done, now)
    return len(done)


def _decision_rebates(tx: ManagedTransaction, holder: str, buyers: list[str],
                      counting: bool = False) -> tuple[list[dict[str, Any]], list[str]]:
    """Lock, then read, the rebates a decision reaches: those not void of the buyers'
    orders, the team bonuses they lead and those still held by `holder` (read after the
    lock: what is current); with `counting`, also lock the team bonuses that counted the
    buyers' orders and return their ids."""
    db.run(tx, "risk.lock_member_orders", user_ids=buyers)
    locked = db.run(tx, "risk.lock_member_rebates", user_ids=buyers, holders=[holder],
                    counting=counting)[0]
    rows = db.run(tx, "risk.decision_rebates", ids=locked["ids"]) if locked["ids"] else []
    return rows, locked["counting"]


def dismiss_in_tx(tx: ManagedTransaction, holder: str, buyers: list[str], now: datetime,
                  holders: set[str]) -> list[str]:
    """Put back, in the caller's transaction, the held rebates of the buyers' orders (and
    those `holder` holds) whose holder is one of `holders`; returns their ids (for
    `settlement.catch_up` after the commit)."""
    rows = [r for r in _decision_rebates(tx, holder, buyers)[0]
            if r["status"] == "held" and r["hold_by"] in holders]
    return _end_in_tx(tx, rows, "dismiss", now)


def plan_confirmation(rows: list[dict[str, Any]], holder: str,
                      at: datetime) -> tuple[list[dict[str, Any]], list[ledger.Txn]]:
    """What confirming fraud does to `rows` (pure): every rebate not yet void becomes void
    (ring_confirmed) with the ledger move out of its bucket to the pool; a credited one is
    clawed back out of `available` (an `adjust`, as a refund after crediting is). Returns
    the status changes and the movements, one per rebate that moves money."""
    changes, txns = [], []
    for r in rows:
        status = r["status"]
        if status not in STATUS_BUCKET:  # void already, or a state no decision reaches
            continue
        changes.append({"rebate_id": r["rebate_id"], "status": status,
                        "voided_from": r["held_from"] if status == "held" else status})
        if r["amount_cents"] <= 0:
            continue
        if status == "credited":
            txns.append(ledger.move(
                f"clawback:{r['rebate_id']}", "adjust", r["kind"], at, r["amount_cents"],
                user_id=r["beneficiary"], source="available", target=ledger.POOL,
                rebate_id=r["rebate_id"], memo=FRAUD))
        else:
            by = r["hold_by"] if status == "held" and r["hold_by"] else holder
            txns.append(ledger.move(
                f"void:{r['rebate_id']}:{by}", "void", r["kind"], at, r["amount_cents"],
                user_id=r["beneficiary"], source=STATUS_BUCKET[status], target=ledger.POOL,
                rebate_id=r["rebate_id"]))
    return changes, txns


def added_debt(available_before: int, clawed_back: int) -> int:
    """How much of a clawback the balance cannot cover: the debt it adds (pure)."""
    return max(0, clawed_back - available_before) - max(0, -available_before)


def moved(t: ledger.Txn) -> tuple[str, int]:
    """The user a rebate's movement concerns and the cents it moves (pure)."""
    user = next(leg.user_id for leg in t.legs if leg.user_id is not None)
    return user, max(leg.amount_cents for leg in t.legs)


def confirm_in_tx(tx: ManagedTransaction, holder: str, buyers: list[str],
                  now: datetime) -> tuple[int, Money]:
    """Confirm fraud on the buyers' orders in the caller's transaction: void what they
    earned (and the team bonuses they lead) that was not yet paid, claw back what was
    credited, and lower the team bonuses that counted their orders. Returns how many
    rebates changed and the money per ledger kind (voided, clawed back, debt it left)."""
    found, counting = _decision_rebates(tx, holder, buyers, counting=True)
    rows = {r["rebate_id"]: r for r in found}
    changes, txns = plan_confirmation(list(rows.values()), holder, now)
    voided = set(db.run(tx, "risk.void_confirmed", rows=changes, holder=holder,
                        at=now.isoformat())[0]["voided"]) if changes else set()
    txns = [t for t in txns if t.rebate_id in voided]
    # after the voids: a bonus its leader's confirmation voided is not lowered as well
    lowered, lowering = team_bonuses.drop_orders(tx, buyers, counting, holder, now)
    txns += lowering
    money: Money = {}
    clawed: dict[tuple[str, str], int] = defaultdict(int)
    for t in txns:  # by the ledger's kind: a team bonus is cash
        user, cents = moved(t)
        totals = money.setdefault(t.kind, dict.fromkeys(MONEY_KEYS, 0))
        if t.type == "adjust":
            totals["clawed_back_cents"] += cents
            clawed[(user, t.kind)] += cents
        else:
            totals["voided_cents"] += cents
    owing = sorted({user for user, _ in clawed})
    if owing:  # no withdrawal reads these balances until the commit
        db.run(tx, "risk.lock_users", user_ids=owing)
    for user in owing:
        available = {k: b["available"] for k, b in ledger.balances(user, tx).items()}
        for (who, kind), cents in clawed.items():
            if who == user:
                money[kind]["debt_cents"] += added_debt(available.get(kind, 0), cents)
    ledger.book(tx, txns, token=uuid.uuid4().hex)
    outbox.rebate_changes(tx, [(c["rebate_id"], c["status"]) for c in changes
                               if c["rebate_id"] in voided], at=now)
    return len(voided) + len(lowered), money
