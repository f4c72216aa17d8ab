"""An analyst's decisions: on a ring (confirm voids what its members' orders earned,
dismiss releases it) and on one user; each audited with who, when and the note.
"""

from datetime import UTC, datetime
from typing import Any

from graph import db
from graph.audit import trail
from graph.errors import conflict, not_found
from graph.risk import holds
from graph.risk.reads import get_ring, user_risk


def decide(ring_id: str, decision: str, note: str | None, actor: str, role: str,
           request_id: str | None = None) -> dict[str, Any]:
    """An analyst's decision on an open ring, audited with who, when and the note."""
    ring = get_ring(ring_id, with_subgraph=False)
    if ring is None:
        raise not_found(f"ring {ring_id!r}")
    if ring["status"] != "open":
        raise conflict(f"ring {ring_id} is {ring['status']}; only an open ring is decided")
    now = datetime.now(UTC).isoformat()
    status = "confirmed" if decision == "confirm" else "dismissed"

    def record(tx: Any) -> None:
        db.run(tx, "risk.decide", ring_id=ring_id, status=status, decision=decision,
               actor=actor, at=now, note=note)
        if decision == "confirm":
            db.run(tx, "risk.confirm_members", ring_id=ring_id)
        else:
            db.run(tx, "risk.clear_members", ring_id=ring_id)
        trail.append(tx, actor=actor, role=role, action=f"risk.ring.{decision}",
                     target=f"ring:{ring_id}", before={"status": ring["status"]},
                     after={"status": status, "note": note}, request_id=request_id)

    db.write(record)
    if decision == "confirm":  # what the ring did not hold yet (it scored under the hold
        holds.hold_ring(ring_id, ring["members"])  # score, or was computed since) goes void too
    changed = holds.end_holds(ring["members"], decision, clear_holder=True)
    decided = get_ring(ring_id, with_subgraph=False)
    assert decided is not None  # rings are never deleted
    return {**decided, "rebates_changed": changed}


def decide_user(user_id: str, decision: str, note: str | None, actor: str, role: str,
                request_id: str | None = None) -> dict[str, Any]:
    """An analyst's decision on one user, audited: `confirm` voids every rebate of the
    user's orders not yet credited (held by anyone, or not held) and those computed later;
    `dismiss` releases what the user's own signals held and stops them holding again. A
    ring the user belongs to keeps its holds until the ring itself is decided."""
    before = user_risk(user_id)
    if before is None:
        raise not_found(f"user {user_id!r}")

    def record(tx: Any) -> None:
        db.run(tx, "risk.confirm_user" if decision == "confirm" else "risk.clear_user",
               user_id=user_id)
        trail.append(tx, actor=actor, role=role, action=f"risk.user.{decision}",
                     target=f"user:{user_id}",
                     before={"score": before["score"], "hold": before["hold"]},
                     after={"decision": decision, "note": note}, request_id=request_id)

    db.write(record)
    if decision == "confirm":
        holds.hold_ring(f"user:{user_id}", [user_id])
        changed = holds.end_holds([user_id], "confirm", clear_holder=False)
    else:
        changed = holds.end_holds([user_id], "dismiss", clear_holder=False,
                             only_holders={f"signals:{user_id}"})
    after = user_risk(user_id)
    assert after is not None
    return {**after, "decision": decision, "rebates_changed": changed}
