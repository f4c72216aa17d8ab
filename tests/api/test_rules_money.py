"""Rules meeting money: level bonuses in real payouts, retiring a rule, and the what-if
simulation (which writes nothing)."""

from graph import db
from graph.audit import trail
from graph.ingest.batch import ingest_raw
from graph.money.rebates import compute_rebates
from tests.conftest import auth
from tests.factories import make_order, make_user

ADMIN, MALL = auth("admin"), auth("mall")


def rebates_of(order_id):
    return [(r["tier"], r["amount_cents"])
            for r in db.read_query("rebates.for_orders", ids=[order_id])[0]["rebates"]]


def test_level_bonus_is_paid_by_beneficiary_level(client, ids):
    category = "lvl-" + ids("c")[-8:]
    rule = {"id": ids("vip"), "tiers": [1000, 500], "category": category, "level_bonus_bp": 150}
    assert client.post("/v1/rules", headers=ADMIN, json=rule).status_code == 201
    ingest_raw([make_user(ids("top"), level=0), make_user(ids("mid"), ids("top"), level=2),
                make_user(ids("buyer"), ids("mid")),
                make_order(ids("o"), ids("buyer"), [(category, 10000)])])
    compute_rebates([ids("o")])
    # mid (tier 1, level 2): 1000 + 2 x 150 bp; top (tier 2, level 0): 500 bp
    assert rebates_of(ids("o")) == [(1, 1300), (2, 500)]


def test_a_retired_rule_stops_paying_and_the_change_is_audited(client, ids):
    """Retired now: it still pays an order paid before (however late that order's rebates
    are computed), and no order paid after."""
    category = "ret-" + ids("c")[-8:]
    rule = {"id": ids("r"), "tiers": [2500], "category": category}
    assert client.post("/v1/rules", headers=ADMIN, json=rule).status_code == 201
    ingest_raw([make_user(ids("a")), make_user(ids("b"), ids("a")),
                make_order(ids("before"), ids("b"), [(category, 10000)],
                           at="2026-03-02T10:00:00+08:00")])
    assert client.delete(f"/v1/rules/{ids('r')}", headers=ADMIN).status_code == 204
    assert client.delete(f"/v1/rules/{ids('none')}", headers=ADMIN).status_code == 404
    ingest_raw([make_order(ids("after"), ids("b"), [(category, 10000)],
                           at="2099-03-02T10:00:00+08:00")])
    compute_rebates([ids("before"), ids("after")])
    assert rebates_of(ids("before")) == [(1, 2500)]  # in force when it was paid
    assert rebates_of(ids("after")) == [(1, 1000)]  # the default rule again
    actions = [(e["action"], e["before"], e["after"]) for e in trail.page(0, 100_000)
               if e["target"] == f"rule:{ids('r')}"]
    assert actions[-1] == ("rule.retire", {"status": "active"}, {"status": "retired"})


def test_simulation_compares_a_draft_with_the_rules_in_force_and_writes_nothing(
        client, clean_graph, ids):
    category = "sim-" + ids("c")[-8:]
    at = "2023-01-05T10:00:00+08:00"
    ingest_raw([make_user(ids("a")), make_user(ids("b"), ids("a")), make_user(ids("c"), ids("b")),
                make_order(ids("o1"), ids("c"), [(category, 10000), ("home", 5000)], at=at),
                make_order(ids("o2"), ids("b"), [(category, 3333)], at=at)])
    before = db.read_query("testing.counts_by_prefix", prefix=ids(""))[0]
    draft = {"id": ids("draft"), "tiers": [2000, 800], "category": category}
    answer = client.post("/v1/rules/simulate", headers=ADMIN, json={
        "rule": draft, "from": "2023-01-05T00:00:00+08:00", "to": "2023-01-06T00:00:00+08:00"})
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["orders"] == 2
    # in force (default 1000/500/200): o1 pays 1500 / 750 (two uplines), o2 pays 333
    assert result["current_per_tier_cents"] == [1500 + 333, 750, 0]
    # draft on its category: o1 2000+500 / 800+250, o2 666; other items keep the default
    assert result["per_tier_cents"] == [2500 + 666, 1050, 0]
    assert result["vs_current_cents"] == (2500 + 666 + 1050) - (1500 + 333 + 750)
    assert db.read_query("testing.counts_by_prefix", prefix=ids(""))[0] == before
    rules = client.get("/v1/rules", headers=ADMIN).json()["rules"]
    assert ids("draft") not in {r["id"] for r in rules}
    over = client.post("/v1/rules/simulate", headers=ADMIN, json={
        "rule": {**draft, "tiers": [1000, 500, 200, 100]}, "from": "2023-01-05T00:00:00Z",
        "to": "2023-01-06T00:00:00Z"})
    assert over.status_code == 422 and over.json()["type"].endswith("tier-limit")


def test_points_are_earned_apart_from_cash_and_convert_to_cash(client, ids):
    category = "pts-" + ids("c")[-8:]
    rule = {"id": ids("pts"), "tiers": [500], "kind": "points", "category": category}
    assert client.post("/v1/rules", headers=ADMIN, json=rule).status_code == 201
    a, b = ids("a"), ids("b")
    events = [make_user(a), make_user(b, a),
              make_order(ids("o"), b, [(category, 100_000)], at="2025-07-01T10:00:00+08:00"),
              {"type": "order_completed", "order_id": ids("o"), "at": "2025-07-02T10:00:00+08:00"}]
    assert client.post("/v1/events", headers=MALL, json=events).json()["accepted"] == 4
    client.post(f"/v1/orders/{ids('o')}/payouts", headers=MALL)
    client.post("/v1/settlement/run", headers=ADMIN, json={"as_of": "2025-07-10T00:00:00Z"})
    balance = client.get(f"/v1/users/{a}/balance", headers=MALL).json()
    assert balance["points"]["available"] == 5000 and balance["cash"]["available"] == 0

    body = {"conversion_id": ids("cv"), "points": 3000}
    first = client.post(f"/v1/users/{a}/points/convert", headers=MALL, json=body)
    assert first.status_code == 201 and first.json()["cents"] == 3000  # 100 points a yuan
    assert client.post(f"/v1/users/{a}/points/convert", headers=MALL, json=body).status_code == 200
    too_many = client.post(f"/v1/users/{a}/points/convert", headers=MALL,
                           json={"conversion_id": ids("cv2"), "points": 2001})
    assert too_many.status_code == 422 and too_many.json()["reason"] == "insufficient_balance"
    balance = client.get(f"/v1/users/{a}/balance", headers=MALL).json()
    assert (balance["points"]["available"], balance["cash"]["available"]) == (2000, 3000)


def test_an_excluded_category_pays_no_tier_and_says_why(client, ids):
    """A category rule at 0 bp excludes the category: an order of only such items creates
    void rebates (category_excluded) for each tier it would have paid; mixed orders pay
    for their other items."""
    category = "excl-" + ids("c")[-8:]
    rule = {"id": ids("r"), "tiers": [0], "category": category}
    assert client.post("/v1/rules", headers=ADMIN, json=rule).status_code == 201
    chain = [ids(n) for n in "abc"] + [ids("buyer")]
    events = [make_user(chain[0])] + [make_user(u, up)
                                      for up, u in zip(chain, chain[1:], strict=False)]
    events += [make_order(ids("only"), chain[3], [(category, 10000)]),
               make_order(ids("mixed"), chain[3], [(category, 10000), ("home", 10000)])]
    assert client.post("/v1/events", headers=MALL, json=events).json()["accepted"] == 6
    rows = client.post(f"/v1/orders/{ids('only')}/payouts", headers=MALL).json()["rebates"]
    assert [(r["tier"], r["amount_cents"], r["status"], r["reason"]) for r in rows] == [
        (1, 0, "void", "category_excluded"), (2, 0, "void", "category_excluded"),
        (3, 0, "void", "category_excluded")]
    compute_rebates([ids("mixed")])
    assert rebates_of(ids("mixed")) == [(1, 1000), (2, 500), (3, 200)]


def test_a_disabled_inviter_earns_void_rebates_until_enabled(client, ids):
    a, b, c, buyer = (ids(n) for n in ("a", "b", "c", "buyer"))
    events = [make_user(a), make_user(b, a), make_user(c, b), make_user(buyer, c),
              make_order(ids("o1"), buyer, [("home", 10000)]),
              make_order(ids("o2"), buyer, [("home", 10000)])]
    assert client.post("/v1/events", headers=MALL, json=events[:4]).json()["accepted"] == 4
    short = client.post(f"/v1/users/{b}/disable", headers=ADMIN, json={"reason": "no"})
    assert short.status_code == 422
    assert client.post(f"/v1/users/{b}/disable", headers=MALL,
                       json={"reason": "left the programme"}).status_code == 403
    assert client.post(f"/v1/users/{ids('nobody')}/disable", headers=ADMIN,
                       json={"reason": "left the programme"}).status_code == 404
    answer = client.post(f"/v1/users/{b}/disable", headers=ADMIN,
                         json={"reason": "left the programme"})
    assert answer.status_code == 200 and answer.json()["disabled"] is True
    assert client.post("/v1/events", headers=MALL, json=events[4:5]).json()["accepted"] == 1
    rows = client.post(f"/v1/orders/{ids('o1')}/payouts", headers=MALL).json()["rebates"]
    assert [(r["tier"], r["beneficiary"], r["amount_cents"], r["status"], r["reason"])
            for r in rows] == [(1, c, 1000, "pending", None),
                               (2, b, 0, "void", "inviter_disabled"),
                               (3, a, 200, "pending", None)]
    assert client.post(f"/v1/users/{b}/enable", headers=ADMIN).json()["disabled"] is False
    assert client.post("/v1/events", headers=MALL, json=events[5:]).json()["accepted"] == 1
    compute_rebates([ids("o2")])
    assert rebates_of(ids("o2")) == [(1, 1000), (2, 500), (3, 200)]
    actions = [(e["action"], e["after"]["disabled"]) for e in trail.page(0, 100_000)
               if e["target"] == f"user:{b}"]
    assert actions == [("user.disable", True), ("user.enable", False)]
