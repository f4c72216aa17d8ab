"""The risk side in the graph: ring detection runs, holds on rebates, analysts' decisions
and what the risk team reads (rings, their subgraphs, one user's signals).

A detection run reads a projection of the graph (users, the identifiers they use, their
orders), finds and scores rings with the pure code of `graph.rings`, and stores them as
`Ring` nodes with `MEMBER_OF` edges, keeping a ring's id when most of its members persist.
An open ring scoring at or above TIERGRAPH_HOLD_SCORE holds the rebates of its members'
orders (status `held`, reason `risk_hold`; the money moves to the held bucket of the
ledger) and marks the members so that rebates computed later are held at birth. A
decision ends it: `confirm` voids the held rebates (`ring_confirmed`) and voids the
members' future rebates; `dismiss` releases them to the status they would have had. A ring
that a later run no longer finds lapses and releases its holds.
"""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson

from graph import audit, db, jobs, ledger, settlement, signals
from graph.rebates import STATUS_BUCKET
from graph.settings import get_settings

if TYPE_CHECKING:
    from graph import rings

PAGE = 10_000
# Communities scoring under this are families and friends with one odd feature: at a million
# users there are some forty thousand of them against two thousand rings worth holding.
# They are not stored as rings (an analyst would only page past them).
STORE_FLOOR = 0.3
Progress = Callable[[str, float], None]


class RiskRefused(Exception):
    """A decision that cannot be taken (`status` is the HTTP status to answer with)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


def _quiet(stage: str, fraction: float) -> None:
    return None


def load_projection(progress: Progress = _quiet) -> "rings.Projection":
    """Users, identifier usages and orders from Neo4j, a page of users at a time."""
    from graph import rings  # networkx and friends: loaded by the processes that detect

    users: dict[str, rings.UserInfo] = {}
    usages: list[rings.Usage] = []
    orders: list[rings.OrderInfo] = []
    total = db.read_query("risk.user_count")[0]["users"] or 1
    after = ""
    while True:
        page = db.read_query("risk.projection_users", after=after, limit=PAGE)
        if not page:
            break
        ids = [r["user_id"] for r in page]
        for r in page:
            users[r["user_id"]] = rings.UserInfo(float(r["registered_at"]), r["inviter"])
        for r in db.read_query("risk.projection_usages", ids=ids):
            usages.append(rings.Usage(r["user_id"], r["kind"], r["ident"], float(r["first_at"]),
                                      float(r["last_at"]), int(r["count"])))
        for r in db.read_query("risk.projection_orders", ids=ids):
            orders.append(rings.OrderInfo(
                r["order_id"], r["user_id"], r["amount_cents"], float(r["paid_at"]),
                r["refunded_cents"], None if r["refunded_at"] is None else float(r["refunded_at"])))
        after = ids[-1]
        progress("reading the graph", min(len(users) / total, 1.0))
    return rings.Projection(users=users, usages=usages, orders=orders)


def detect_and_store(seed: int = 0, progress: Progress = _quiet,
                     actor: str = "system:detect") -> dict[str, Any]:
    """One detection run: read, detect, store rings with stable ids, apply holds. One run
    at a time (a Redis lock): two would lapse each other's rings."""
    guard = jobs.lock("risk.detect")
    if not guard.acquire():
        raise RiskRefused(409, "another detection run is under way; try again when it ends")
    try:
        return _detect_and_store(seed, progress, actor)
    finally:
        guard.release()


def _detect_and_store(seed: int, progress: Progress, actor: str) -> dict[str, Any]:
    from graph import rings

    started = datetime.now(UTC)
    run_id = uuid.uuid4().hex
    projection = load_projection(lambda stage, f: progress(stage, 0.4 * f))
    found = [r for r in rings.detect(projection, seed=seed,
                                     progress=lambda stage, f: progress(stage, 0.4 + 0.4 * f))
             if r.score >= STORE_FLOOR]
    known = db.read_query("risk.rings_known")
    previous = {r["ring_id"]: r["members"] for r in known if r["members"]}
    status_of = {r["ring_id"]: r["status"] for r in known}
    ids = rings.stable_ring_ids([r.members for r in found], previous)
    rows = [{"ring_id": ring_id, "score": round(r.score, 4), "size": len(r.members),
             "reasons": r.reasons, "members": r.members,
             "features": orjson.dumps(r.features, option=orjson.OPT_SORT_KEYS).decode()}
            for ring_id, r in zip(ids, found, strict=True)]
    at = started.isoformat()
    progress("storing rings", 0.8)
    for chunk in _chunks(rows, 500):
        db.write_query("risk.store_rings", rings=chunk, run={"id": run_id, "at": at})
    lapsed = db.write_query("risk.lapse_rings", run_id=run_id, at=at)[0]["lapsed"]
    hold_score = get_settings().hold_score
    holding = [r for r in rows
               if status_of.get(r["ring_id"], "open") == "open" and r["score"] >= hold_score]
    below = [r["ring_id"] for r in rows
             if status_of.get(r["ring_id"], "open") == "open" and r["score"] < hold_score]
    db.write_query("risk.mark_holders",
                   holds=[{"ring_id": r["ring_id"], "members": r["members"]} for r in holding])
    progress("holding rebates", 0.9)
    held = sum(_hold_ring(r["ring_id"], r["members"]) for r in holding)
    # Only a ring that was open at or above the hold score can have held anything.
    was_holding = {r["ring_id"] for r in known
                   if r["status"] == "open" and (r["score"] or 0) >= hold_score}
    # Released without an analyst: each ring gets its own audit entry naming why.
    releases = [(ring_id, "lapsed" if ring_id in lapsed else "below_hold_score",
                 _release(ring_id, "dismiss"))
                for ring_id in [*lapsed, *below] if ring_id in was_holding]
    released = sum(n for _, _, n in releases)
    result = {"run_id": run_id, "users": len(projection.users), "rings": len(rows),
              "store_floor": STORE_FLOOR,
              "holding_rings": len(holding), "lapsed_rings": len(lapsed),
              "rebates_held": held, "rebates_released": released,
              "seconds": round((datetime.now(UTC) - started).total_seconds(), 2)}

    def record(tx: Any) -> None:
        audit.append(tx, actor=actor, role="risk", action="risk.detect",
                     target=f"detection:{run_id}", after=result)
        for ring_id, why, count in releases:
            audit.append(tx, actor=actor, role="risk", action="risk.ring.release",
                         target=f"ring:{ring_id}", before={"status": status_of[ring_id]},
                         after={"why": why, "rebates_released": count, "run_id": run_id})

    db.write(record)
    progress("done", 1.0)
    return result


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _hold_ring(ring_id: str, members: list[str]) -> int:
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


def _release(holder: str, decision: str, held: list[dict[str, Any]] | None = None,
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


def decide(ring_id: str, decision: str, note: str | None, actor: str, role: str,
           request_id: str | None = None) -> dict[str, Any]:
    """An analyst's decision on an open ring, audited with who, when and the note."""
    ring = get_ring(ring_id, with_subgraph=False)
    if ring is None:
        raise RiskRefused(404, f"no ring {ring_id!r}")
    if ring["status"] != "open":
        raise RiskRefused(409, f"ring {ring_id} is {ring['status']}; only an open ring is decided")
    now = datetime.now(UTC).isoformat()
    status = "confirmed" if decision == "confirm" else "dismissed"

    def record(tx: Any) -> None:
        db.run(tx, "risk.decide", ring_id=ring_id, status=status, decision=decision,
               actor=actor, at=now, note=note)
        if decision == "confirm":
            db.run(tx, "risk.confirm_members", ring_id=ring_id)
        else:
            db.run(tx, "risk.clear_members", ring_id=ring_id)
        audit.append(tx, actor=actor, role=role, action=f"risk.ring.{decision}",
                     target=f"ring:{ring_id}", before={"status": ring["status"]},
                     after={"status": status, "note": note}, request_id=request_id)

    db.write(record)
    if decision == "confirm":  # what the ring did not hold yet (it scored under the hold
        _hold_ring(ring_id, ring["members"])  # score, or was computed since) goes void too
    changed = _end_holds(ring["members"], decision, clear_holder=True)
    return {**get_ring(ring_id, with_subgraph=False), "rebates_changed": changed}


def _end_holds(user_ids: list[str], decision: str, clear_holder: bool,
               only_holders: set[str] | None = None) -> int:
    """Confirm (void) or dismiss (release) the held rebates of the users' orders, holder by
    holder (or only those of `only_holders`); returns how many changed."""
    held = db.read_query("risk.held_of_buyers", user_ids=user_ids)
    changed = 0
    for holder in sorted({r["hold_by"] for r in held}):
        if only_holders is None or holder in only_holders:
            changed += _release(holder, decision, [r for r in held if r["hold_by"] == holder],
                                clear_holder=clear_holder)
    return changed


def decide_user(user_id: str, decision: str, note: str | None, actor: str, role: str,
                request_id: str | None = None) -> dict[str, Any]:
    """An analyst's decision on one user, audited: `confirm` voids every rebate of the
    user's orders not yet credited (held by anyone, or not held) and those computed later;
    `dismiss` releases what the user's own signals held and stops them holding again. A
    ring the user belongs to keeps its holds until the ring itself is decided."""
    before = user_risk(user_id)
    if before is None:
        raise RiskRefused(404, f"no user {user_id!r}")

    def record(tx: Any) -> None:
        db.run(tx, "risk.confirm_user" if decision == "confirm" else "risk.clear_user",
               user_id=user_id)
        audit.append(tx, actor=actor, role=role, action=f"risk.user.{decision}",
                     target=f"user:{user_id}",
                     before={"score": before["score"], "hold": before["hold"]},
                     after={"decision": decision, "note": note}, request_id=request_id)

    db.write(record)
    if decision == "confirm":
        _hold_ring(f"user:{user_id}", [user_id])
        changed = _end_holds([user_id], "confirm", clear_holder=False)
    else:
        changed = _end_holds([user_id], "dismiss", clear_holder=False,
                             only_holders={f"signals:{user_id}"})
    after = user_risk(user_id)
    assert after is not None
    return {**after, "decision": decision, "rebates_changed": changed}


def list_rings(min_score: float, limit: int, status: str | None) -> list[dict[str, Any]]:
    """Rings at or above a score, highest first."""
    return db.read_query("risk.rings_list", min_score=min_score, limit=limit, status=status)


def get_ring(ring_id: str, with_subgraph: bool = True) -> dict[str, Any] | None:
    """One ring with its held money, and (by default) its drawable subgraph."""
    rows = db.read_query("risk.ring", ring_id=ring_id)
    if not rows:
        return None
    ring = rows[0]
    ring["features"] = orjson.loads(ring["features"]) if ring["features"] else {}
    for key in ("detected_at", "decided_at"):
        value = db.to_native(ring[key])
        ring[key] = value.isoformat() if value is not None else None
    ring["held"] = {h["kind"]: {"cents": h["cents"], "rebates": h["rebates"]} for h in ring["held"]}
    if with_subgraph:
        ring["subgraph"] = subgraph(ring_id)
    return ring


def subgraph(ring_id: str) -> dict[str, list[dict[str, Any]]]:
    """Members, the identifiers two or more of them share, and invite edges, as nodes and
    edges ready to draw."""
    rows = db.read_query("risk.ring_subgraph", ring_id=ring_id)
    if not rows:
        return {"nodes": [], "edges": []}
    row = rows[0]
    members = {u["id"] for u in row["users"]}
    nodes = [{"id": f"user:{u['id']}", "label": "User", "user_id": u["id"], "member": True,
              "registered_at": u["registered_at"]} for u in row["users"]]
    edges: list[dict[str, Any]] = []
    kinds = {"Device": ("device", "USED"), "IP": ("ip", "SEEN_AT"),
             "PaymentAccount": ("payment_account", "PAID_WITH"),
             "Address": ("address", "SHIPS_TO")}
    for shared in sorted(row["shared"], key=lambda s: (s["label"], s["id"])):
        prefix, rel = kinds[shared["label"]]
        node_id = f"{prefix}:{shared['id']}"
        nodes.append({"id": node_id, "label": shared["label"], "key": shared["id"],
                      "users": len(shared["users"])})
        edges.extend({"source": f"user:{u}", "target": node_id, "type": rel}
                     for u in sorted(shared["users"]))
    outsiders = set()
    for invite in sorted(row["invites"], key=lambda i: (i["source"], i["target"])):
        for end in (invite["source"], invite["target"]):
            if end not in members and end not in outsiders:
                outsiders.add(end)
                nodes.append({"id": f"user:{end}", "label": "User", "user_id": end,
                              "member": False})
        edges.append({"source": f"user:{invite['source']}", "target": f"user:{invite['target']}",
                      "type": "INVITED", "at": invite["at"]})
    return {"nodes": nodes, "edges": edges}


def user_risk(user_id: str) -> dict[str, Any] | None:
    """One user's signals (cheap and costlier ones), score and ring, or None if unknown."""
    facts = signals.facts_of([user_id]).get(user_id)
    if facts is None:
        return None
    activity = db.read_query("risk.user_activity", user_id=user_id,
                             max_ip_users=signals.MAX_IP_USERS,
                             burst_seconds=signals.BURST_SECONDS)[0]
    found = signals.cheap_signals(facts) + signals.activity_signals(user_id, activity)
    ring = db.read_query("risk.ring_of_user", user_id=user_id)
    # Holds at birth come from the cheap signals only (ip_burst and invite_velocity need
    # the wider reads made here): `hold_score` is that score, `score` all of them.
    cheap = signals.score(signals.cheap_signals(facts))
    by_signals = (not facts["risk_cleared"]
                  and cheap >= get_settings().hold_score and f"signals:{user_id}")
    return {"user_id": user_id, "score": signals.score(found),
            "signals": [s.as_dict() for s in found],
            "ring_id": ring[0]["ring_id"] if ring else None,
            "ring_score": ring[0]["score"] if ring else None,
            "hold_score": cheap,
            "hold": facts["risk_confirmed"] or facts["hold_ring"] or by_signals or None,
            "cleared": bool(facts["risk_cleared"])}
