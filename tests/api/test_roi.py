"""The referral channel's ROI (`GET /v1/analytics/roi`): day aggregates folded from the
events, checked against figures computed here from the events sent, through a refund, a
risk hold and a confirmed ring."""

from graph import db
from graph.money import ledger
from graph.risk import holds
from tests.conftest import auth
from tests.factories import make_order, make_user

MALL, ADMIN = auth("mall"), auth("admin")
D1, D2 = "2026-03-02", "2026-03-03"
# bp per tier: the campaign rule on beauty, the default rule on everything else
RATES = {"beauty": [2000, 1000], "home": [1000, 500, 200]}
TIERS = 2  # every invited buyer below has two uplines: A, then top
# (order, buyer, paid at, items); C has no inviter, so o4 is no order of the channel
ORDERS = [
    ("o1", "b1", "2026-03-02T10:00:00+08:00", [("beauty", 10000)]),
    ("o2", "b2", "2026-03-03T00:30:00+08:00", [("home", 20000)]),  # 2026-03-02 in UTC
    ("o3", "b1", "2026-03-03T12:00:00+08:00", [("home", 5000)]),  # refunded in full
    ("o4", "c", "2026-03-02T12:00:00+08:00", [("home", 30000)]),
    ("o5", "b3", "2026-03-02T11:00:00+08:00", [("home", 8000)]),  # b3: the ring's member
    ("o6", "b1", "2026-03-02T13:00:00+08:00", [("beauty", 5000), ("home", 5000)]),
]


def expected(ids, state):
    """ROI rows by kind from the events alone: `state` says which orders' rebates are
    refunded, held or void."""
    rule_of = {"beauty": ids("r1"), "home": "default"}
    rows = {"day": {}, "category": {}, "rule": {}}

    def add(kind, key, **cents):
        row = rows[kind].setdefault(key, {"key": key, "orders": set(), "gmv_cents": 0,
                                          "rebate_cents": 0, "held_cents": 0,
                                          "void_cents": 0})
        row["orders"].add(cents.pop("order"))
        for name, value in cents.items():
            row[name] += value

    for order, buyer, at, items in ORDERS:
        if buyer == "c":
            continue
        day, status = at[:10], state.get(order)
        for category, amount in items:
            rebate = sum(amount * RATES[category][t] // 10000 for t in range(TIERS))
            gmv = 0 if status == "refunded" else amount
            money = {"order": order, "gmv_cents": gmv,
                     "rebate_cents": 0 if status in ("refunded", "void") else rebate,
                     "held_cents": rebate if status == "held" else 0,
                     "void_cents": rebate if status in ("refunded", "void") else 0}
            for kind, key in (("day", day), ("category", category),
                              ("rule", rule_of[category])):
                add(kind, key, **money)
    out = {}
    for kind, by_key in rows.items():
        out[kind] = []
        for key in sorted(by_key):
            row = {**by_key[key], "orders": len(by_key[key]["orders"])}
            row["roi"] = (round(row["gmv_cents"] / row["rebate_cents"], 4)
                          if row["rebate_cents"] else None)
            out[kind].append(row)
    return out


def roi(client, group_by, first=D1, last=D2):
    answer = client.get("/v1/analytics/roi", headers=ADMIN,
                        params={"from": first, "to": last, "group_by": group_by})
    assert answer.status_code == 200, answer.text
    return answer.json()


def fold(client):
    answer = client.post("/v1/analytics/fold", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    return answer.json()


def check(client, ids, state):
    want = expected(ids, state)
    for kind in ("day", "category", "rule"):
        assert roi(client, kind)["rows"] == want[kind], kind
        # the same over a window read as edge days and March's month rows
        assert roi(client, kind, "2026-02-20", "2026-04-10")["rows"] == want[kind], kind


def test_roi_follows_the_events_through_refunds_holds_and_voids(client, clean_graph, ids):
    rule = {"id": ids("r1"), "tiers": [2000, 1000], "category": "beauty"}
    assert client.post("/v1/rules", headers=ADMIN, json=rule).status_code == 201
    at = "2026-03-01T10:00:00+08:00"
    users = [make_user(ids("top"), at=at), make_user(ids("a"), ids("top"), at=at),
             make_user(ids("c"), at=at)]
    users += [make_user(ids(b), ids("a"), at=at) for b in ("b1", "b2", "b3")]
    orders = [make_order(ids(o), ids(buyer), items, at=paid) for o, buyer, paid, items in ORDERS]
    assert client.post("/v1/events", headers=MALL,
                       json=users + orders).json()["accepted"] == len(users + orders)
    for order, *_ in ORDERS:
        assert client.post(f"/v1/orders/{ids(order)}/payouts", headers=MALL).status_code == 200
    assert client.post("/v1/events", headers=MALL, json=[{
        "type": "order_refunded", "order_id": ids("o3"), "refund_id": ids("r"),
        "amount_cents": 5000, "at": "2026-03-04T10:00:00+08:00"}]).json()["accepted"] == 1

    folded = fold(client)
    check(client, ids, {"o3": "refunded"})
    answer = roi(client, "day")
    assert answer["as_of"] == folded["as_of"] and answer["time_zone"] == "Asia/Shanghai"
    # the rebates the rows count are the ones stored, not void
    stored = [r for order, buyer, *_ in ORDERS if buyer != "c"
              for r in client.get(f"/v1/orders/{ids(order)}/rebates", headers=MALL)
              .json()["rebates"]]
    assert sum(r["rebate_cents"] for r in answer["rows"]) == \
        sum(r["amount_cents"] for r in stored if r["status"] != "void")
    assert roi(client, "day", D1, D1)["rows"] == expected(ids, {"o3": "refunded"})["day"][:1]

    # b3's ring over the hold score holds o5's rebates; the next fold shows them held
    db.write_query("testing.plant_rings", rings=[
        {"ring_id": ids("ring"), "score": 0.9, "status": "open", "members": [ids("b3")],
         "hold": True}])
    assert holds.hold_ring(ids("ring"), [ids("b3")]) == 2
    check(client, ids, {"o3": "refunded"})  # not folded yet: the rows are as of the last fold
    fold(client)
    check(client, ids, {"o3": "refunded", "o5": "held"})

    decided = client.post(f"/v1/risk/rings/{ids('ring')}/decision", headers=auth("risk"),
                          json={"decision": "confirm", "note": "one device"})
    assert decided.status_code == 200, decided.text
    fold(client)
    check(client, ids, {"o3": "refunded", "o5": "void"})
    fold(client)  # a fold with nothing new changes no figure
    check(client, ids, {"o3": "refunded", "o5": "void"})
    # a store folded before month rows were kept reads days until the next fold builds them
    db.write_query("testing.forget_roi_months")
    check(client, ids, {"o3": "refunded", "o5": "void"})
    fold(client)
    # March by rule (r1, default) and by category (beauty, home)
    assert db.read_query("testing.roi_month_count")[0]["months"] == 4
    check(client, ids, {"o3": "refunded", "o5": "void"})
    books = ledger.check()
    assert (books["total"], books["unbalanced"]) == (0, 0)


def test_roi_refuses_periods_it_cannot_answer(client):
    def ask(**params):
        return client.get("/v1/analytics/roi", headers=ADMIN, params=params)

    assert ask(**{"from": D2, "to": D1}).status_code == 422
    assert ask(**{"from": "2025-01-01", "to": "2026-03-01"}).status_code == 422
    assert ask(**{"from": D1, "to": D2, "group_by": "sku"}).status_code == 422
    assert ask(**{"from": "yesterday", "to": D2}).status_code == 422
    assert client.get("/v1/analytics/roi", headers=MALL,
                      params={"from": D1, "to": D2}).status_code == 403
