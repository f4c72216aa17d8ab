"""An analyst's decisions: on a ring (confirm voids what its members' orders and the team
bonuses they lead earned, claws back what was credited and lowers the team bonuses that
counted their orders; dismiss releases it) and on one user; each checked, written and
audited with who, when, the note and the money in one transaction.
"""

from datetime import UTC, datetime
from typing import Any

from graph import db
from graph.audit import trail
from graph.errors import conflict, not_found
from graph.money import settlement
from graph.risk import holds
from graph.risk.reads import get_ring, user_risk
from graph.webhooks import outbox


def money_answer(money: holds.Money) -> dict[str, Any]:
    """A decision's money as answered: cash at the top (`voided_cents`, `clawed_back_cents`,
    `debt_cents`) and every kind, points included, in `by_kind`."""
    zero = dict.fromkeys(holds.MONEY_KEYS, 0)
    by_kind = {kind: {**zero, **money.get(kind, {})} for kind in sorted({"cash", "points", *money})}
    return {**by_kind["cash"], "by_kind": by_kind}


def decide(ring_id: str, decision: str, note: str | None, actor: str, role: str,
           request_id: str | None = None) -> dict[str, Any]:
    """An analyst's decision on an open ring, audited with who, when and the note. The
    ring's status is read under its lock in the transaction that writes the decision, so
    of two decisions at once one wins and the other is a 409."""
    now = datetime.now(UTC)
    status = "confirmed" if decision == "confirm" else "dismissed"

    def record(tx: Any) -> tuple[int, holds.Money, list[str]]:
        if not db.run(tx, "risk.lock_ring", ring_id=ring_id)[0]["found"]:
            raise not_found(f"ring {ring_id!r}")
        state = db.run(tx, "risk.decision_state", ring_id=ring_id)[0]
        if state["status"] != "open":
            raise conflict(f"ring {ring_id} is {state['status']}; only an open ring is decided")
        members: list[str] = state["members"]
        db.run(tx, "risk.decide", ring_id=ring_id, status=status, decision=decision,
               actor=actor, at=now.isoformat(), note=note)
        released: list[str] = []
        if decision == "confirm":
            db.run(tx, "risk.confirm_members", ring_id=ring_id)
            changed, money = holds.confirm_in_tx(tx, ring_id, members, now)
        else:
            db.run(tx, "risk.clear_members", ring_id=ring_id)
            # the analyst cleared the members: their own signals' holds end with the ring's
            holders = {ring_id, *(f"signals:{m}" for m in members)}
            released = holds.dismiss_in_tx(tx, ring_id, members, now, holders)
            changed, money = len(released), {}
        db.run(tx, "risk.clear_holder", ring_id=ring_id)  # former members it still marked
        trail.append(tx, actor=actor, role=role, action=f"risk.ring.{decision}",
                     target=f"ring:{ring_id}", before={"status": state["status"]},
                     after={"status": status, "note": note, "rebates_changed": changed,
                            **money_answer(money)},
                     request_id=request_id)
        cash = money_answer(money)
        outbox.emit(tx, outbox.RING_DECIDED, [{
            "ring_id": ring_id, "decision": decision, "status": status, "note": note,
            "members": sorted(members), "rebates_changed": changed,
            **{key: cash[key] for key in holds.MONEY_KEYS}}], now)
        return changed, money, released

    changed, money, released = db.write(record)
    if released:  # back where they would be, credited if a settlement run passed them by
        settlement.catch_up(released, now)
    decided = get_ring(ring_id, with_subgraph=False)
    assert decided is not None  # rings are never deleted
    return {**decided, "rebates_changed": changed, **money_answer(money)}


def decide_user(user_id: str, decision: str, note: str | None, actor: str, role: str,
                request_id: str | None = None) -> dict[str, Any]:
    """An analyst's decision on one user, audited: `confirm` voids every rebate of the
    user's orders and team bonus the user leads not yet credited (held by anyone, or not
    held) and those computed later, claws back those credited and lowers the team bonuses
    that counted the user's orders, as a ring's confirmation does; `dismiss` releases what
    the user's own signals held and stops them holding again. A ring the user belongs to
    keeps its holds until the ring itself is decided."""
    before = user_risk(user_id)
    if before is None:
        raise not_found(f"user {user_id!r}")
    now = datetime.now(UTC)

    def record(tx: Any) -> tuple[int, holds.Money, list[str]]:
        # the user's write lock, taken first: one decision on a user at a time
        if not db.run(tx, "risk.confirm_user" if decision == "confirm" else "risk.clear_user",
                      user_id=user_id):
            raise not_found(f"user {user_id!r}")
        released: list[str] = []
        if decision == "confirm":
            changed, money = holds.confirm_in_tx(tx, f"user:{user_id}", [user_id], now)
        else:
            own = f"signals:{user_id}"
            released = holds.dismiss_in_tx(tx, own, [user_id], now, {own})
            changed, money = len(released), {}
        trail.append(tx, actor=actor, role=role, action=f"risk.user.{decision}",
                     target=f"user:{user_id}",
                     before={"score": before["score"], "hold": before["hold"]},
                     after={"decision": decision, "note": note, "rebates_changed": changed,
                            **money_answer(money)},
                     request_id=request_id)
        return changed, money, released

    changed, money, released = db.write(record)
    if released:
        settlement.catch_up(released, now)
    after = user_risk(user_id)
    assert after is not None
    return {**after, "decision": decision, "rebates_changed": changed, **money_answer(money)}
