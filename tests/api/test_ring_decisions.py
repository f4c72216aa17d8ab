"""A ring's confirmation reaches credited money, against the real stack: held and unpaid
rebates are voided, credited ones clawed back (cash and points, each in its own kind),
what was withdrawn is owed and later credits repay it; a decision is taken once, however
many arrive at once, and a retry claws back nothing twice.

Orders here are paid, completed and settled in 2024, apart from the 2025-2026 orders of the
other money tests, so one test's settlement run credits nothing of another's.
"""

import threading
import uuid
from datetime import UTC, datetime
from typing import Any

from graph import db
from graph.audit import trail
from graph.errors import DomainError
from graph.money import ledger
from graph.risk import decisions, holds
from tests.conftest import auth
from tests.factories import make_chain, make_order, make_user

MALL, ADMIN, RISK = auth("mall"), auth("admin"), auth("risk")


def post(client: Any, events: list[dict[str, Any]]) -> None:
    answer = client.post("/v1/events", headers=MALL, json=events)
    assert answer.status_code == 200 and not answer.json()["rejected"], answer.text


def paid_and_completed(order_id: str, buyer: str, day: int,
                       items: list[tuple[str, int]] | None = None) -> list[dict[str, Any]]:
    """An order paid on 2024-05-<day> and completed the next day (its return window closed)."""
    return [make_order(order_id, buyer, items, at=f"2024-05-{day:02d}T10:00:00+08:00"),
            {"type": "order_completed", "order_id": order_id,
             "at": f"2024-05-{day + 1:02d}T10:00:00+08:00"}]


def settle(client: Any, as_of: str) -> None:
    answer = client.post("/v1/settlement/run", headers=ADMIN, json={"as_of": as_of})
    assert answer.status_code == 200, answer.text


def balance(client: Any, user_id: str, kind: str = "cash") -> dict[str, int]:
    answer = client.get(f"/v1/users/{user_id}/balance", headers=MALL)
    assert answer.status_code == 200, answer.text
    return {k: v for k, v in answer.json()[kind].items() if v}


def rebates(client: Any, order_id: str) -> set[tuple[str, int, str, str | None]]:
    rows = client.post(f"/v1/orders/{order_id}/payouts", headers=MALL).json()["rebates"]
    return {(r["beneficiary"], r["amount_cents"], r["status"], r["reason"]) for r in rows}


def withdraw(client: Any, withdrawal_id: str, user_id: str, cents: int) -> None:
    answer = client.post("/v1/withdrawals", headers=MALL, json={
        "withdrawal_id": withdrawal_id, "user_id": user_id, "amount_cents": cents})
    assert answer.status_code == 201 and answer.json()["status"] == "completed", answer.text


def plant_ring(ring_id: str, members: list[str]) -> None:
    """Store an open ring as a detection run does, and hold what its members' orders earned."""
    db.write_query("risk.store_rings", run={"id": uuid.uuid4().hex,
                                            "at": datetime.now(UTC).isoformat()},
                   rings=[{"ring_id": ring_id, "score": 0.95, "size": len(members),
                           "reasons": ["shared_device"], "features": "{}",
                           "members": sorted(members)}])
    holds.hold_ring(ring_id, sorted(members))


def decide(client: Any, ring_id: str, decision: str) -> Any:
    return client.post(f"/v1/risk/rings/{ring_id}/decision", headers=RISK,
                       json={"decision": decision, "note": "checked"})


def assert_ledger_whole() -> None:
    check = ledger.check()
    assert (check["total"], check["unbalanced"], check["negative_buckets"]) == (0, 0, 0)


def test_confirm_claws_back_credited_money_and_leaves_a_debt_later_credits_repay(client, ids):
    top, org, m1, m2, honest = (ids(n) for n in ("top", "org", "m1", "m2", "honest"))
    category = ids("pts")[-12:].lower()  # a category of its own: its points rule pays no one else
    rule = client.post("/v1/rules", headers=ADMIN, json={
        "id": ids("points-rule"), "tiers": [1000], "kind": "points", "category": category})
    assert rule.status_code == 201, rule.text
    post(client, make_chain([top, org]) + [make_user(u, org) for u in (m1, m2, honest)])
    # m1 and m2 each buy 129 yuan: 1,290 cents to org (tier 1), 645 to top (tier 2); m1's
    # second order earns org 1,290 points.
    post(client, paid_and_completed(ids("o1"), m1, 1) + paid_and_completed(ids("o2"), m2, 2)
         + paid_and_completed(ids("o3"), m1, 3, [(category, 12900)]))
    for order in ("o1", "o2", "o3"):
        client.post(f"/v1/orders/{ids(order)}/payouts", headers=MALL)
    settle(client, "2024-05-20T00:00:00+00:00")
    assert balance(client, org) == {"credited": 2580, "available": 2580}
    assert balance(client, org, "points") == {"credited": 1290, "available": 1290}
    withdraw(client, ids("w"), org, 2000)  # 580 cents left
    converted = client.post(f"/v1/users/{org}/points/convert", headers=MALL,
                            json={"conversion_id": ids("c"), "points": 1000})
    assert converted.status_code == 201 and converted.json()["cents"] == 1000  # 1,580 left
    # an order still in its return window, held once the ring is found
    post(client, [make_order(ids("o4"), m2, at="2024-05-25T10:00:00+08:00")])
    client.post(f"/v1/orders/{ids('o4')}/payouts", headers=MALL)
    ring = ids("ring")
    plant_ring(ring, [org, m1, m2])
    assert {s for _, _, s, _ in rebates(client, ids("o4"))} == {"held"}

    answer = decide(client, ring, "confirm")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["ring_id"], body["status"], body["decision"]) == (ring, "confirmed", "confirm")
    # cash: 2,580 + 1,290 credited come back; org owes what it withdrew beyond its 1,580 left
    assert (body["voided_cents"], body["clawed_back_cents"], body["debt_cents"]) == (
        1290 + 645, 2580 + 1290, 1000)
    assert body["by_kind"]["points"] == {"voided_cents": 0, "clawed_back_cents": 1290,
                                         "debt_cents": 1000}
    assert body["by_kind"]["cash"]["clawed_back_cents"] == body["clawed_back_cents"]
    assert body["rebates_changed"] == 7
    for order in ("o1", "o2", "o3", "o4"):
        assert {(s, r) for _, _, s, r in rebates(client, ids(order))} == {
            ("void", "ring_confirmed")}
    # money left `available` (what was credited stays in the lifetime totals)
    assert balance(client, org) == {"credited": 2580, "withdrawn": 2000, "available": -1000}
    assert balance(client, top) == {"credited": 1290}
    assert balance(client, org, "points") == {"credited": 1290, "available": -1000}
    # each clawed-back rebate keeps its history: credited, then clawed back, once
    [history] = db.read_query("testing.ledger_of_rebate", rebate_id=f"{ids('o1')}:t1:cash")
    assert history["clawed_back_cents"] == 1290 and history["voided_from"] == "credited"
    assert sorted((t, m or "") for t, m in history["txns"]) == [
        ("adjust", "ring_confirmed"), ("confirm", ""), ("credit", ""), ("payable", "")]
    [entry] = [e for e in trail.page(0, 100_000)
               if e["action"] == "risk.ring.confirm" and e["target"] == f"ring:{ring}"]
    assert (entry["after"]["clawed_back_cents"], entry["after"]["debt_cents"]) == (3870, 1000)
    assert_ledger_whole()

    # a retry is refused and a replayed confirmation moves nothing
    again = decide(client, ring, "confirm")
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    replay = db.write(lambda tx: holds.confirm_in_tx(tx, ring, [org, m1, m2], datetime.now(UTC)))
    assert replay == (0, {})
    assert balance(client, org)["available"] == -1000

    # a later credit repays the debt first: honest buys 129 yuan, org's tier 1 is 1,290
    post(client, paid_and_completed(ids("o5"), honest, 10))
    client.post(f"/v1/orders/{ids('o5')}/payouts", headers=MALL)
    settle(client, "2024-05-25T00:00:00+00:00")
    assert balance(client, org)["available"] == 290
    assert_ledger_whole()


def test_a_confirmed_user_owes_what_was_withdrawn_and_the_ring_claws_back_nothing_twice(
        client, ids):
    inviter, buyer = ids("inviter"), ids("buyer")
    post(client, make_chain([inviter, buyer]) + paid_and_completed(ids("o"), buyer, 4))
    client.post(f"/v1/orders/{ids('o')}/payouts", headers=MALL)
    settle(client, "2024-05-20T00:00:00+00:00")
    withdraw(client, ids("w"), inviter, 1290)

    answer = client.post(f"/v1/risk/users/{buyer}/decision", headers=RISK,
                         json={"decision": "confirm", "note": "one person, two accounts"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["rebates_changed"], body["voided_cents"], body["clawed_back_cents"],
            body["debt_cents"]) == (1, 0, 1290, 1290)
    assert rebates(client, ids("o")) == {(inviter, 1290, "void", "ring_confirmed")}
    assert balance(client, inviter) == {"credited": 1290, "withdrawn": 1290, "available": -1290}

    ring = ids("ring")
    plant_ring(ring, [inviter, buyer])
    ring_answer = decide(client, ring, "confirm")
    assert ring_answer.status_code == 200, ring_answer.text
    assert (ring_answer.json()["clawed_back_cents"], ring_answer.json()["debt_cents"]) == (0, 0)
    assert balance(client, inviter)["available"] == -1290
    assert_ledger_whole()


def test_a_confirm_racing_a_dismiss_leaves_exactly_one_decision(client, ids):
    inviter, buyers = ids("inviter"), [ids(f"b{n}") for n in range(3)]
    events = [make_user(inviter)] + [make_user(b, inviter) for b in buyers]
    for n, b in enumerate(buyers):
        events += paid_and_completed(ids(f"o{n}"), b, 6 + n)
    post(client, events)
    for n in range(3):
        client.post(f"/v1/orders/{ids(f'o{n}')}/payouts", headers=MALL)
    settle(client, "2024-05-20T00:00:00+00:00")
    post(client, [make_order(ids("late"), buyers[0], at="2024-05-26T10:00:00+08:00")])
    client.post(f"/v1/orders/{ids('late')}/payouts", headers=MALL)
    ring = ids("ring")
    plant_ring(ring, [inviter, *buyers])

    wanted = ["confirm", "dismiss"] * 3
    start = threading.Barrier(len(wanted))
    outcomes: list[tuple[str, Any]] = []

    def analyst(decision: str) -> None:
        start.wait()
        try:
            decisions.decide(ring, decision, "race", f"risk:{decision}", "risk")
            outcomes.append((decision, "decided"))
        except DomainError as refused:
            outcomes.append((decision, refused.status))

    threads = [threading.Thread(target=analyst, args=(d,)) for d in wanted]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [d for d, outcome in outcomes if outcome == "decided"]
    assert len(winners) == 1 and sorted(o for _, o in outcomes if o != "decided") == [409] * 5
    [winner] = winners
    stored = client.get(f"/v1/risk/rings/{ring}", headers=RISK).json()
    assert (stored["decision"], stored["decided_by"]) == (winner, f"risk:{winner}")
    entries = [e for e in trail.page(0, 100_000) if e["target"] == f"ring:{ring}"]
    assert [e["action"] for e in entries] == [f"risk.ring.{winner}"]
    states = {(s, r) for n in range(3) for _, _, s, r in rebates(client, ids(f"o{n}"))}
    late = {(s, r) for _, _, s, r in rebates(client, ids("late"))}
    if winner == "confirm":
        assert states == late == {("void", "ring_confirmed")}
        assert balance(client, inviter).get("available", 0) == 0
    else:
        assert states == {("credited", None)} and late == {("pending", None)}
        assert balance(client, inviter)["available"] == 3 * 1290
    assert_ledger_whole()


def test_the_answer_is_cash_at_the_top_and_every_kind_below():
    answer = decisions.money_answer({"points": {"voided_cents": 5, "clawed_back_cents": 7,
                                                "debt_cents": 2}})
    assert answer == {"voided_cents": 0, "clawed_back_cents": 0, "debt_cents": 0, "by_kind": {
        "cash": {"voided_cents": 0, "clawed_back_cents": 0, "debt_cents": 0},
        "points": {"voided_cents": 5, "clawed_back_cents": 7, "debt_cents": 2}}}


def test_a_confirmation_plans_a_void_per_unpaid_rebate_and_a_clawback_per_credited_one():
    at = datetime(2024, 5, 1, tzinfo=UTC)
    rows = [
        {"rebate_id": "o:t1:cash", "status": "credited", "amount_cents": 100, "kind": "cash",
         "beneficiary": "a", "hold_by": None, "held_from": None},
        {"rebate_id": "o:t2:cash", "status": "held", "amount_cents": 50, "kind": "cash",
         "beneficiary": "b", "hold_by": "signals:x", "held_from": "payable"},
        {"rebate_id": "p:t1:points", "status": "pending", "amount_cents": 30, "kind": "points",
         "beneficiary": "a", "hold_by": None, "held_from": None},
        {"rebate_id": "q:t1:cash", "status": "void", "amount_cents": 10, "kind": "cash",
         "beneficiary": "a", "hold_by": None, "held_from": None},
        {"rebate_id": "r:t1:cash", "status": "confirmed", "amount_cents": 0, "kind": "cash",
         "beneficiary": "a", "hold_by": None, "held_from": None},
    ]
    changes, txns = holds.plan_confirmation(rows, "ring-1", at)
    assert [(c["rebate_id"], c["voided_from"]) for c in changes] == [
        ("o:t1:cash", "credited"), ("o:t2:cash", "payable"), ("p:t1:points", "pending"),
        ("r:t1:cash", "confirmed")]
    assert [(t.id, t.type, t.kind, t.legs[0].bucket, t.legs[0].amount_cents) for t in txns] == [
        ("clawback:o:t1:cash", "adjust", "cash", "available", -100),
        ("void:o:t2:cash:signals:x", "void", "cash", "held", -50),
        ("void:p:t1:points:ring-1", "void", "points", "pending", -30)]
    assert [holds.added_debt(before, 100) for before in (250, 30, 0, -40)] == [0, 70, 100, 100]


def test_rings_held_in_one_batch_each_hold_their_own_members_rebates_once(client, ids):
    """A detection run holds its rings many a transaction: each rebate is held by the ring
    of the member whose order earned it, with one ledger move, and holding again moves
    nothing."""
    top, a1, a2, b1, b2 = (ids(n) for n in ("top", "a1", "a2", "b1", "b2"))
    post(client, make_chain([top, a1, a2]) + make_chain([b1, b2], root_inviter=top))
    post(client, [make_order(ids("oa"), a2, at="2024-05-03T10:00:00+08:00"),
                  make_order(ids("ob"), b2, at="2024-05-03T11:00:00+08:00")])
    for order in (ids("oa"), ids("ob")):  # computed now (never twice)
        assert all(r[2] == "pending" for r in rebates(client, order))
    ring_a, ring_b = ids("ring-a"), ids("ring-b")
    db.write_query("risk.store_rings", run={"id": uuid.uuid4().hex,
                                            "at": datetime.now(UTC).isoformat()},
                   rings=[{"ring_id": ring, "score": 0.95, "size": 2, "reasons": ["shared_device"],
                           "features": "{}", "members": members}
                          for ring, members in ((ring_a, [a1, a2]), (ring_b, [b1, b2]))])

    held = holds.hold_rings([(ring_a, [a1, a2]), (ring_b, [b1, b2])])

    by_a = db.read_query("risk.held_by", hold_by=ring_a)
    by_b = db.read_query("risk.held_by", hold_by=ring_b)
    # a2's order pays a1 (tier 1) and top (tier 2); b2's pays b1 and top
    assert sorted(r["beneficiary"] for r in by_a) == sorted([a1, top])
    assert sorted(r["beneficiary"] for r in by_b) == sorted([b1, top])
    assert held == len(by_a) + len(by_b) == 4
    assert {r[2] for o in (ids("oa"), ids("ob")) for r in rebates(client, o)} == {"held"}
    assert holds.hold_rings([(ring_a, [a1, a2]), (ring_b, [b1, b2])]) == 0
    assert_ledger_whole()
