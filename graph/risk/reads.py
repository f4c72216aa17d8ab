"""What the risk team reads: rings (listed, one with its held money and a subgraph to
draw) and one user's signals, score and ring.
"""

from typing import Any

import orjson

from graph import db, paging
from graph.risk import signals
from graph.settings import get_settings


def list_rings(min_score: float, limit: int, status: str | None) -> list[dict[str, Any]]:
    """Rings at or above a score, highest first."""
    return page_rings(min_score, limit, status)["items"]


def page_rings(min_score: float, limit: int, status: str | None,
               cursor: str | None = None) -> dict[str, Any]:
    """A page of the rings at or above a score, highest first (then by id), with each ring's
    money, and the cursor of the next page (SPEC 10.2)."""
    after = paging.decode(cursor, _ring_keys) or (None, None)
    rows = db.read_query("risk.rings_list", min_score=min_score, limit=limit + 1,
                         status=status, after_score=after[0], after_id=after[1])
    return paging.page([_with_drivers(r) for r in rows], limit,
                       lambda ring: [ring["score"], ring["ring_id"]])


def _ring_keys(keys: list[Any]) -> tuple[float, str]:
    """The (score, ring id) a ring cursor carries."""
    score, ring_id = keys
    if type(score) not in (int, float) or type(ring_id) is not str:
        raise ValueError("not a ring key")
    return float(score), ring_id


def _with_drivers(ring: dict[str, Any]) -> dict[str, Any]:
    """The stored drivers JSON as a list ([] on rings stored before scores had drivers)."""
    ring["drivers"] = orjson.loads(ring["drivers"]) if ring.get("drivers") else []
    return ring


def get_ring(ring_id: str, with_subgraph: bool = True) -> dict[str, Any] | None:
    """One ring with its held money, and (by default) its drawable subgraph."""
    rows = db.read_query("risk.ring", ring_id=ring_id)
    if not rows:
        return None
    ring = rows[0]
    ring["features"] = orjson.loads(ring["features"]) if ring["features"] else {}
    _with_drivers(ring)
    for key in ("detected_at", "decided_at"):
        value = db.to_native(ring[key])
        ring[key] = value.isoformat() if value is not None else None
    ring["held"] = {h["kind"]: {"cents": h["cents"], "rebates": h["rebates"]} for h in ring["held"]}
    if with_subgraph:
        flow = db.read_query("risk.ring_money_flow", ring_id=ring_id,
                             per_member=ORDERS_DRAWN_PER_MEMBER)
        ring["subgraph"] = subgraph(ring_id)
        if flow:
            ring["money"] = flow[0]["money"]
            draw_money(ring["subgraph"], flow[0]["orders"], flow[0]["placed"])
    return ring


ORDERS_DRAWN_PER_MEMBER = 10  # a farm's hundreds of orders would bury the drawing


def draw_money(drawing: dict[str, Any], orders: list[dict[str, Any]], placed: int) -> None:
    """Add the members' latest orders to a ring's drawing (pure): an Order node PLACED by its
    buyer, and an EARNS edge from the order to each beneficiary with the rebate's tier, amount
    and status; a beneficiary outside the ring is added as a non-member. `orders_drawn` and
    `orders_placed` tell the reader when older orders were left out."""
    known = {node["id"] for node in drawing["nodes"]}
    for order in sorted(orders, key=lambda o: o["order_id"]):
        node_id = f"order:{order['order_id']}"
        drawing["nodes"].append({"id": node_id, "label": "Order", "key": order["order_id"],
                                 "amount_cents": order["amount_cents"],
                                 "paid_at": order["paid_at"], "status": order["status"]})
        drawing["edges"].append({"source": f"user:{order['buyer']}", "target": node_id,
                                 "type": "PLACED"})
        for rebate in order["rebates"]:
            target = f"user:{rebate['beneficiary']}"
            if target not in known:
                known.add(target)
                drawing["nodes"].append({"id": target, "label": "User",
                                         "user_id": rebate["beneficiary"], "member": False})
            drawing["edges"].append({"source": node_id, "target": target, "type": "EARNS",
                                     "rebate_id": rebate["rebate_id"], "tier": rebate["tier"],
                                     "kind": rebate["kind"],
                                     "amount_cents": rebate["amount_cents"],
                                     "status": rebate["status"]})
    drawing["orders_drawn"] = len(orders)
    drawing["orders_placed"] = placed


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
                             burst_seconds=signals.BURST_SECONDS,
                             farm_users=signals.DEVICE_FARM_USERS,
                             evidence_accounts=signals.EVIDENCE_ACCOUNTS)[0]
    device_accounts = {d["id"]: d["others"] for d in activity["device_accounts"]}
    found = (signals.cheap_signals(facts, device_accounts)
             + signals.activity_signals(user_id, activity))
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
