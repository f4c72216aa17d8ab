"""Levels over time (SPEC 10.4), against the real stack: `user_level_changed` through POST
/v1/events, an order earning at the level its beneficiary had when it was paid (whatever
arrives later), replays, refusals, the what-if reading levels the same way."""

from datetime import UTC, datetime

from graph import db
from graph.money.rebates import compute_rebates
from graph.rules import simulation
from graph.rules.maths import Rule
from tests.conftest import auth
from tests.factories import make_order, make_user

ADMIN, MALL = auth("admin"), auth("mall")


def level(user_id: str, value: int, at: str) -> dict[str, object]:
    return {"type": "user_level_changed", "user_id": user_id, "level": value, "at": at}


def rebates_of(order_id: str) -> list[tuple[int, int]]:
    return [(r["tier"], r["amount_cents"])
            for r in db.read_query("rebates.for_orders", ids=[order_id])[0]["rebates"]]


def post(client, events):
    answer = client.post("/v1/events", headers=MALL, json=events)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_an_order_earns_at_the_level_of_its_payment_time(client, clean_graph, ids):
    category = "lv-" + ids("c")[-8:]
    rule = {"id": ids("vip"), "tiers": [1000, 500], "category": category, "level_bonus_bp": 150}
    assert client.post("/v1/rules", headers=ADMIN, json=rule).status_code == 201
    top, mid, buyer = ids("top"), ids("mid"), ids("buyer")
    body = post(client, [
        make_user(top), make_user(mid, top, level=1), make_user(buyer, mid),
        level(mid, 3, "2026-03-15T00:00:00+08:00"),  # mid-month: level 1 before, 3 after
        make_order(ids("early"), buyer, [(category, 10000)], at="2026-03-10T12:00:00+08:00"),
        make_order(ids("late"), buyer, [(category, 10000)], at="2026-03-20T12:00:00+08:00"),
    ])
    assert body["accepted"] == 6 and body["rejected"] == []
    compute_rebates([ids("early"), ids("late")])
    # mid is tier 1: 1000 + level x 150 bp; top (tier 2) stays at level 0: 500 bp
    assert rebates_of(ids("early")) == [(1, 1150), (2, 500)]
    assert rebates_of(ids("late")) == [(1, 1450), (2, 500)]

    # a change dated before an order that arrives after it: the order still earns at the
    # level of its payment time; one dated later than all leaves the current level
    post(client, [level(mid, 5, "2026-03-25T00:00:00+08:00"),
                  level(mid, 2, "2026-03-18T00:00:00+08:00"),
                  make_order(ids("mid-month"), buyer, [(category, 10000)],
                             at="2026-03-19T00:00:00+08:00")])
    compute_rebates([ids("mid-month")])
    assert rebates_of(ids("mid-month")) == [(1, 1300), (2, 500)]  # level 2 from the 18th
    stored = db.read_query("testing.raw_user_properties", prefix=mid)[0]["props"]
    assert (stored["level"], stored["base_level"]) == (5, 1)  # latest; as registered

    # the what-if replays at the levels as now known: the late order (paid on the 20th and
    # computed at level 3 before the change dated the 18th arrived) replays at level 2
    draft = Rule(id=ids("draft"), tiers=(1000, 500), category=category, level_bonus_bp=150,
                 created_at=datetime(2026, 1, 1, tzinfo=UTC))
    result = simulation.simulate(draft, datetime(2026, 3, 1, tzinfo=UTC),
                                 datetime(2026, 4, 1, tzinfo=UTC))
    assert result["orders"] == 3
    assert result["current_total_cents"] == (1150 + 500) + (1300 + 500) + (1300 + 500)


def test_a_replay_is_a_duplicate_and_bad_changes_are_refused(client, ids):
    user = ids("u")
    post(client, [make_user(user)])
    change = level(user, 4, "2026-05-01T00:00:00+08:00")
    first = post(client, [change])
    assert first["accepted"] == 1
    again = post(client, [change, change])
    assert again["accepted"] == 0 and again["duplicates"] == 2
    refused = post(client, [level(ids("nobody"), 1, "2026-05-01T00:00:00+08:00"),
                            level(user, 101, "2026-05-01T00:00:00+08:00"),
                            level(user, 2, "2026-05-01T00:00:00"),  # no offset
                            {**change, "extra": True}])
    assert [r["reason"] for r in refused["rejected"]] == [
        "unknown_user", "invalid_event", "invalid_event", "invalid_event"]
    stored = db.read_query("testing.raw_user_properties", prefix=user)[0]["props"]
    assert stored["level"] == 4
