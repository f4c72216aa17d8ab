"""A detection run: read a projection of the graph, find and score rings (the pure code
of `graph.risk.communities`), store them as `Ring` nodes with stable ids, hold what open
rings at or above TIERGRAPH_HOLD_SCORE earned, and release the holds of rings that lapsed.
"""

import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import orjson

from graph import db, jobs
from graph.audit import trail
from graph.errors import conflict
from graph.risk import holds, incremental, model_store, runs
from graph.risk.projection import OrderInfo, Projection, Usage, UserInfo
from graph.risk.ring_ids import stable_ring_ids
from graph.risk.user_graph import MAX_SHARE
from graph.rules.maths import DEFAULT_RULE
from graph.settings import get_settings

PAGE = 10_000
# Communities scoring under this are families and friends with one odd feature; they are
# not stored as rings (an analyst would only page past them).
STORE_FLOOR = 0.3
# The identifiers that link users, by kind; the slowest (those counted over orders) first.
SHARED_QUERIES = {"address": "risk.shared_addresses", "payment_account":
                  "risk.shared_payment_accounts", "ip": "risk.shared_ips",
                  "device": "risk.shared_devices"}
Progress = Callable[[str, float], None]


def _quiet(stage: str, fraction: float) -> None:
    return None


def load_projection(progress: Progress = _quiet,
                    touched: Iterable[str] | None = None) -> Projection:
    """The part of the graph detection can link (`projection.linked_part`, read where the
    data lives): the users of identifiers shared by 2..MAX_SHARE users, with their usages
    and orders, and their uplines. With `touched` (an incremental run), also those users and
    everyone sharing an identifier with them, so that what they changed is seen."""
    progress("reading the graph", 0.0)
    shared: set[tuple[str, str]] = set()
    linked: set[str] = set()
    with ThreadPoolExecutor(max_workers=2) as pool:  # Neo4j runs a query on one core
        for kind, rows in zip(SHARED_QUERIES, pool.map(_shared, SHARED_QUERIES.values()),
                              strict=True):
            for r in rows:
                shared.add((kind, r["ident"]))
                linked.update(r["users"])
    if touched is not None:
        touched = sorted(set(touched))
        # an identifier with more users than this was over MAX_SHARE before them too
        limit = MAX_SHARE + len(touched)
        linked.update(touched)
        for chunk in _chunks(touched, PAGE):
            linked.update(str(user) for user in db.read_rows(
                "risk.identifier_neighbours", ids=chunk, max_users=limit))
    progress("reading the graph", 0.1)
    ids = sorted(linked)
    users = _users(ids)
    usages: list[Usage] = []
    orders: list[OrderInfo] = []
    pages = _chunks(ids, PAGE)
    # Two pages in flight: Neo4j reads one while this process decodes the other.
    with ThreadPoolExecutor(max_workers=2) as pool:
        for n, (used, placed) in enumerate(pool.map(_page, pages), start=1):
            usages.extend(Usage(u, k, i, float(f), float(la), int(c))
                          for u, k, i, f, la, c in used)
            orders.extend(OrderInfo(o, u, a, float(p), r, None if at is None else float(at))
                          for o, u, a, p, r, at in placed)
            progress("reading the graph", 0.1 + 0.9 * n / len(pages))
    # the uplines the rebate features walk: registration and inviter only
    for _ in range(len(DEFAULT_RULE.tiers)):
        uplines = sorted({info.inviter for info in users.values()
                          if info.inviter is not None and info.inviter not in users})
        users.update(_users(uplines))
    return Projection(users=users, usages=usages, orders=orders, shared=frozenset(shared))


def _shared(query: str) -> list[dict[str, Any]]:
    return db.read_query(query, min_users=2, max_users=MAX_SHARE)


def _page(ids: list[str]) -> tuple[list[Any], list[Any]]:
    return (db.read_rows("risk.projection_usages", ids=ids),
            db.read_rows("risk.projection_orders", ids=ids))


def _users(ids: list[str]) -> dict[str, UserInfo]:
    return {user: UserInfo(float(registered), inviter)
            for page in _chunks(ids, PAGE)
            for user, registered, inviter in db.read_rows("risk.projection_users", ids=page)}


def detect_and_store(seed: int = 0, progress: Progress = _quiet,
                     actor: str = "system:detect", full: bool = True) -> dict[str, Any]:
    """One detection run: read, detect, store rings with stable ids, apply holds. One run
    at a time (a Redis lock): two would lapse each other's rings. Without `full` (the API,
    the beat and the shell's default), incremental as graph.risk.incremental.choose_mode
    allows: only the components touched since the last run are detected again, the others
    keep their rings as they are."""
    guard = jobs.lock("risk.detect")
    if not guard.acquire():
        raise conflict("another detection run is under way; try again when it ends")
    try:
        return _detect_and_store(seed, progress, actor, full)
    finally:
        guard.release()


def _detect_and_store(seed: int, progress: Progress, actor: str, full: bool) -> dict[str, Any]:
    # networkx is loaded here, by the processes that detect, never by the API.
    from graph.risk import communities

    started = datetime.now(UTC)
    run_id = uuid.uuid4().hex
    since, last = runs.since_now(), runs.last_run()  # since: where the next run looks from
    # The active learned model scores the rings found (the rules' floor below still picks
    # them), else the rules do; each ring keeps its rule score, the version and the drivers.
    scorer = model_store.active()
    mode, mode_reason = incremental.choose_mode(
        last, seed, str(model_store.version_of(scorer)), full, started,
        get_settings().detect_full_every_days)
    touched = runs.touched_since(last.since) if last and mode == incremental.INCREMENTAL else None
    projection = load_projection(lambda stage, f: progress(stage, 0.4 * f), touched)

    def stages(stage: str, fraction: float) -> None:
        progress(stage, 0.4 + 0.4 * fraction)

    choice = None
    if touched is None:
        found = communities.detect(projection, seed=seed, progress=stages)
    else:  # the components touched since the last run only, as a full run would find them
        found, choice = incremental.detect_touched(projection, touched, seed, stages)
    found = [r for r in found if r.score >= STORE_FLOOR]
    known = db.read_query("risk.rings_known")
    previous = {r["ring_id"]: r["members"] for r in known if r["members"]}
    status_of = {r["ring_id"]: r["status"] for r in known}
    kept = set() if choice is None else set(incremental.kept_rings(
        {r["ring_id"]: r["members"] for r in known if r["status"] == "open"}, choice.rerun))
    ids = stable_ring_ids([r.members for r in found], previous)
    rows: list[dict[str, Any]] = [
        {"ring_id": ring_id, **model_store.scored(scorer, r.features, r.score),
         "size": len(r.members), "reasons": r.reasons, "members": r.members,
         "features": orjson.dumps(r.features, option=orjson.OPT_SORT_KEYS).decode()}
        for ring_id, r in zip(ids, found, strict=True)]
    at = started.isoformat()
    progress("storing rings", 0.8)
    for chunk in _chunks(rows, 500):
        db.write_query("risk.store_rings", rings=chunk, run={"id": run_id, "at": at})
    lapsed = db.write_query("risk.lapse_rings", run_id=run_id, at=at,
                            kept=sorted(kept))[0]["lapsed"]
    hold_score = get_settings().hold_score
    holding = [r for r in rows
               if status_of.get(r["ring_id"], "open") == "open" and r["score"] >= hold_score]
    below = [r["ring_id"] for r in rows
             if status_of.get(r["ring_id"], "open") == "open" and r["score"] < hold_score]
    # a kept ring holding goes on holding: its members keep their mark, its holds stand
    db.write_query("risk.mark_holders",
                   holds=[{"ring_id": r["ring_id"], "members": r["members"]} for r in holding]
                   + [{"ring_id": r["ring_id"], "members": r["members"]} for r in known
                      if r["ring_id"] in kept and (r["score"] or 0) >= hold_score])
    progress("holding rebates", 0.9)
    held = holds.hold_rings([(r["ring_id"], r["members"]) for r in holding])
    # Only a ring that was open at or above the hold score can have held anything.
    was_holding = {r["ring_id"] for r in known
                   if r["status"] == "open" and (r["score"] or 0) >= hold_score}
    # Released without an analyst: each ring gets its own audit entry naming why.
    releases = [(ring_id, "lapsed" if ring_id in lapsed else "below_hold_score",
                 holds.release(ring_id, "dismiss"))
                for ring_id in [*lapsed, *below] if ring_id in was_holding]
    released = sum(n for _, _, n in releases)
    result = {"run_id": run_id, "users": len(projection.users), "rings": len(rows),
              "store_floor": STORE_FLOOR, "model_version": model_store.version_of(scorer),
              "holding_rings": len(holding), "lapsed_rings": len(lapsed),
              "rebates_held": held, "rebates_released": released,
              "mode": mode, "mode_reason": mode_reason, "rings_kept": len(kept),
              # a full run detects every component again (not counted)
              "components_rerun": None if choice is None else choice.components_rerun,
              "components_kept": 0 if choice is None else choice.components_kept,
              "seconds": round((datetime.now(UTC) - started).total_seconds(), 2)}

    def record(tx: Any) -> None:
        trail.append(tx, actor=actor, role="risk", action="risk.detect",
                     target=f"detection:{run_id}", after=result)
        runs.record(tx, run_id, mode, seed, str(result["model_version"]), since, at)
        for ring_id, why, count in releases:
            trail.append(tx, actor=actor, role="risk", action="risk.ring.release",
                         target=f"ring:{ring_id}", before={"status": status_of[ring_id]},
                         after={"why": why, "rebates_released": count, "run_id": run_id})

    db.write(record)
    progress("done", 1.0)
    return result


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)]
