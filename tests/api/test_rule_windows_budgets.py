"""Rules with their own settlement windows (T+1 next to T+7) and campaign budgets, against
the real stack: a rebate settles on the windows of the rule that paid it, a campaign pays
whole items while its budget lasts, later ones fall to the next rule (or are void
`budget_exhausted`), and computations racing in the API and the worker never overspend."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from graph import db
from graph.ingest.batch import ingest_raw
from graph.rules.book import ensure_default_rule
from graph.settings import get_settings
from tests.conftest import auth
from tests.factories import make_chain, make_order
from workers.app import app as celery_app

MALL, ADMIN = auth("mall"), auth("admin")
PROBLEM = "application/problem+json"


def iso(delta: timedelta = timedelta(0)) -> str:
    return (datetime.now(UTC) + delta).isoformat()


def create_rule(client, **rule) -> dict:
    answer = client.post("/v1/rules", headers=ADMIN, json=rule)
    assert answer.status_code == 201, answer.text
    return answer.json()


def rule(client, rule_id: str) -> dict:
    rules = client.get("/v1/rules", headers=ADMIN).json()["rules"]
    return next(r for r in rules if r["id"] == rule_id)


def payouts(client, order_id: str) -> list[dict]:
    answer = client.post(f"/v1/orders/{order_id}/payouts", headers=MALL)
    assert answer.status_code == 200, answer.text
    return answer.json()["rebates"]


def paid_under(rule_id: str) -> list[dict]:
    return db.read_query("testing.rule_rebates", rule_id=rule_id)


def available(client, user_id: str) -> int:
    answer = client.get(f"/v1/users/{user_id}/balance", headers=MALL)
    assert answer.status_code == 200, answer.text
    return answer.json()["cash"]["available"]


def settle(client, delta: timedelta) -> dict:
    answer = client.post("/v1/settlement/run", headers=ADMIN, json={"as_of": iso(delta)})
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.fixture
def future_allowed(monkeypatch, clean_graph) -> Iterator[None]:
    """TIERGRAPH_ALLOW_FUTURE_AS_OF=true on an empty graph, emptied again afterwards."""
    monkeypatch.setenv("TIERGRAPH_ALLOW_FUTURE_AS_OF", "true")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()
    db.reset_database()
    ensure_default_rule()


@pytest.fixture
def no_default(clean_graph, client) -> Iterator[None]:
    """An empty graph whose default rule is retired (nothing pays what a campaign turns
    away), emptied again afterwards."""
    assert client.delete("/v1/rules/default", headers=ADMIN).status_code == 204
    yield
    db.reset_database()
    ensure_default_rule()


def test_rules_take_and_return_windows_and_budgets(client, ids):
    created = create_rule(client, id=ids("r"), tiers=[1000], category=ids("c")[-20:],
                          return_window_days=1, settlement_delay_days=7, budget_cents=5000)
    assert (created["return_window_days"], created["settlement_delay_days"],
            created["budget_cents"], created["spent_cents"]) == (1, 7, 5000, 0)
    plain = create_rule(client, id=ids("plain"), tiers=[1000], category=ids("d")[-20:])
    assert (plain["return_window_days"], plain["settlement_delay_days"],
            plain["budget_cents"], plain["spent_cents"]) == (None, None, None, None)
    assert rule(client, ids("r"))["budget_cents"] == 5000


@pytest.mark.parametrize("field, value", [
    ("return_window_days", 366), ("return_window_days", -1), ("settlement_delay_days", 400),
    ("settlement_delay_days", "7"), ("budget_cents", -1), ("budget_cents", 10.5),
    ("budget_cents", 10**13 + 1), ("return_window_days", True), ("spent_cents", 0),
])
def test_bad_windows_or_budgets_are_refused_and_store_nothing(client, ids, field, value):
    answer = client.post("/v1/rules", headers=ADMIN,
                         json={"id": ids("bad"), "tiers": [100], field: value})
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == PROBLEM
    rules = client.get("/v1/rules", headers=ADMIN).json()["rules"]
    assert ids("bad") not in {r["id"] for r in rules}


def test_a_t1_category_is_credited_while_a_t7_one_still_waits(client, ids, future_allowed):
    fast, slow = "fresh-" + ids("c")[-8:], "furniture-" + ids("c")[-8:]
    create_rule(client, id=ids("t1"), tiers=[1000], category=fast, return_window_days=1,
                settlement_delay_days=1)
    create_rule(client, id=ids("t7"), tiers=[1000], category=slow, return_window_days=7,
                settlement_delay_days=7)
    chain = [ids("top"), ids("buyer")]
    events = [*make_chain(chain),
              make_order(ids("fast"), chain[1], [(fast, 10000)], at=iso()),
              make_order(ids("slow"), chain[1], [(slow, 10000)], at=iso()),
              make_order(ids("plain"), chain[1], [("home", 10000)], at=iso())]
    assert client.post("/v1/events", headers=MALL, json=events).json()["accepted"] == 5
    for order in ("fast", "slow", "plain"):
        assert [r["status"] for r in payouts(client, ids(order))] == ["pending"]
    windows = {r["order_id"]: (r["return_window_days"], r["settlement_delay_days"])
               for rule_id in (ids("t1"), ids("t7"), "default") for r in paid_under(rule_id)}
    assert windows == {ids("fast"): (1, 1), ids("slow"): (7, 7), ids("plain"): (None, None)}
    # a newer rule for the T+1 category does not move money already promised
    create_rule(client, id=ids("t30"), tiers=[1000], category=fast, return_window_days=30)

    def statuses() -> dict[str, str]:
        return {order: payouts(client, ids(order))[0]["status"]
                for order in ("fast", "slow", "plain")}

    settings = get_settings()
    plain_days = settings.return_window_days + settings.settlement_delay_days
    assert plain_days > 3  # the global windows are longer than T+1
    settle(client, timedelta(days=3))
    assert statuses() == {"fast": "credited", "slow": "pending", "plain": "pending"}
    assert available(client, ids("top")) == 1000
    settle(client, timedelta(days=10))
    assert statuses()["slow"] == "confirmed"  # its 7 days after confirmation are not over
    settle(client, timedelta(days=15))
    assert statuses() == {"fast": "credited", "slow": "credited", "plain": "credited"}
    assert available(client, ids("top")) == 3000


def test_a_budget_running_out_mid_order_pays_whole_items_then_budget_exhausted(
        client, ids, no_default):
    cat = ids("c")[-20:]
    create_rule(client, id=ids("camp"), tiers=[1000], category=cat, budget_cents=250)
    chain = [ids("top"), ids("buyer")]
    events = [*make_chain(chain),
              make_order(ids("a"), chain[1], [(cat, 1000), (cat, 1000), (cat, 1000)], at=iso()),
              make_order(ids("b"), chain[1], [(cat, 1000)], at=iso()),
              make_order(ids("c"), chain[1], [(cat, 500)], at=iso()),
              make_order(ids("d"), chain[1], [(cat, 10)], at=iso())]
    assert ingest_raw(events).accepted == len(events)

    def paid(order: str) -> list[tuple]:
        return [(r["amount_cents"], r["status"], r["reason"]) for r in payouts(client, ids(order))]

    # each item costs the campaign 100: two fit in 250, the third has nothing to fall to
    assert paid("a") == [(200, "pending", None)]
    assert rule(client, ids("camp"))["spent_cents"] == 200
    assert paid("b") == [(0, "void", "budget_exhausted")]  # 100 > the 50 left
    assert paid("c") == [(50, "pending", None)]  # a cheaper item still fits
    assert paid("d") == [(0, "void", "budget_exhausted")]
    assert rule(client, ids("camp"))["spent_cents"] == 250
    assert sum(r["amount_cents"] for r in paid_under(ids("camp"))) == 250


def test_items_a_spent_campaign_turns_away_fall_to_the_next_rule(client, ids):
    cat = ids("c")[-20:]
    create_rule(client, id=ids("camp"), tiers=[1000], category=cat, priority=10,
                budget_cents=100)
    create_rule(client, id=ids("base"), tiers=[300], category=cat)
    chain = [ids("top"), ids("buyer")]
    events = [*make_chain(chain),
              make_order(ids("o"), chain[1], [(cat, 1000), (cat, 1000)], at=iso())]
    assert client.post("/v1/events", headers=MALL, json=events).json()["accepted"] == 3
    assert [(r["tier"], r["amount_cents"], r["status"]) for r in payouts(client, ids("o"))] \
        == [(1, 100 + 30, "pending")]
    assert paid_under(ids("camp"))[0]["rule_ids"] == [ids("camp"), ids("base")]
    assert rule(client, ids("camp"))["spent_cents"] == 100


def test_the_what_if_respects_a_draft_budget(client, ids, no_default):
    cat = ids("c")[-20:]
    chain = [ids("top"), ids("buyer")]
    events = [*make_chain(chain),
              make_order(ids("a"), chain[1], [(cat, 1000), (cat, 1000), (cat, 1000)], at=iso()),
              make_order(ids("b"), chain[1], [(cat, 500)], at=iso(timedelta(seconds=1)))]
    assert ingest_raw(events).accepted == len(events)
    period = {"from": iso(-timedelta(days=1)), "to": iso(timedelta(days=1))}

    def what_if(**extra) -> dict:
        draft = {"id": ids("draft"), "tiers": [1000], "category": cat, **extra}
        answer = client.post("/v1/rules/simulate", headers=ADMIN, json={"rule": draft, **period})
        assert answer.status_code == 200, answer.text
        return answer.json()

    assert what_if()["vs_current_cents"] == 350
    # 100 + 100, the third item turned away (100 > 50 left), then 50
    assert what_if(budget_cents=250)["vs_current_cents"] == 250
    assert what_if(budget_cents=0)["vs_current_cents"] == 0


def test_racing_computations_never_overspend_a_budget(client, ids):
    """40 orders earn the campaign 300 each (12,000 of demand) against a budget of 3,000,
    computed at once by the worker and the API: exactly 10 are paid by it, the rest by the
    default rule (150 each), and the rule has spent exactly its budget."""
    cat = ids("c")[-20:]
    create_rule(client, id=ids("camp"), tiers=[2000, 1000], category=cat, budget_cents=3000)
    chain = [ids(f"u{n}") for n in range(3)]
    orders = [ids(f"o{n}") for n in range(40)]
    events = make_chain(chain) + [make_order(o, chain[2], [(cat, 1000)], at=iso())
                                  for o in orders]
    assert ingest_raw(events).accepted == len(events)  # stored without enqueueing
    tasks = [celery_app.send_task("rebates.compute", args=[orders[n::4]]) for n in range(4)]
    tasks += [celery_app.send_task("rebates.compute", args=[list(reversed(orders))])]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda o: payouts(client, o), orders + orders))
    first, second = answers[: len(orders)], answers[len(orders):]
    assert first == second  # every caller saw the one set of rebates
    for task in tasks:
        task.get(timeout=120)
    totals = {o: sum(r["amount_cents"] for r in payouts(client, o)) for o in orders}
    assert sorted(totals.values()) == [150] * 30 + [300] * 10
    under = paid_under(ids("camp"))
    assert sum(r["amount_cents"] for r in under) == 3000
    assert {r["rule_ids"][0] for r in under} == {ids("camp")}
    assert rule(client, ids("camp"))["spent_cents"] == 3000
    runs = db.read_query("testing.order_runs", ids=orders)
    assert {(r["runs"], r["rebates"]) for r in runs} == {(1, 2)}
