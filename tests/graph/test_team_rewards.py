"""Team rewards: the pure maths (terms, bonus, refunds, China months, the plan) as worked
examples, and against the real stack the runs that pay once however often and however
concurrently they run, a refund voiding a bonus not yet credited, the tier report's check
of what a bonus counted, and a reward left over a lowered cap paying nothing."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from typing import Any

import pytest

from graph import analytics, compliance, compliance_export, db
from graph.errors import DomainError
from graph.ingest.batch import ingest_raw
from graph.money import team_bonuses, team_rewards
from graph.settings import get_settings
from tests.factories import make_chain, make_order

PERIOD = "2025-02"
PAID, DONE = "2025-02-03T10:00:00+08:00", "2025-02-05T10:00:00+08:00"
TERMS = {"threshold_cents": 10000, "bonus_cents": None, "bonus_bp": 500, "depth": 2}


@pytest.mark.parametrize("terms, kinds", [
    ({}, []),
    ({"depth": 3}, []),
    ({"depth": 4}, ["tier-limit"]),
    ({"depth": 0}, ["validation"]),
    ({"bonus_cents": 100}, ["validation"]),  # both
    ({"bonus_bp": None}, ["validation"]),  # neither
    ({"bonus_bp": 10001}, ["validation"]),
    ({"threshold_cents": 0, "depth": 9}, ["validation", "tier-limit"]),
])
def test_terms_problems(terms, kinds):
    found = team_rewards.terms_problems({**TERMS, **terms}, max_tiers=3)
    assert [kind for kind, _ in found] == kinds


@pytest.mark.parametrize("sales, fixed, bp, bonus", [
    (9999, 500, None, 0), (10000, 500, None, 500), (10000, None, 500, 500),
    (12345, None, 500, 617), (0, None, 500, 0),
])
def test_bonus_of(sales, fixed, bp, bonus):
    assert team_rewards.bonus_of(sales, 10000, fixed, bp) == bonus


@pytest.mark.parametrize("counted, amount, refunded, net", [
    (1000, 1000, 0, 1000), (1000, 1000, 300, 700), (400, 1000, 500, 200),
    (333, 1000, 1, 332), (1000, 1000, 1000, 0), (0, 0, 0, 0),
])
def test_net_cents(counted, amount, refunded, net):
    assert team_rewards.net_cents(counted, amount, refunded) == net


def test_a_period_is_a_china_month():
    start, end = team_rewards.period_bounds("2026-12")
    assert start == datetime(2026, 11, 30, 16, tzinfo=UTC)
    assert end == datetime(2026, 12, 31, 16, tzinfo=UTC)
    assert team_rewards.period_bounds("9998-12")[1] == datetime(9998, 12, 31, 16, tzinfo=UTC)
    for bad in ("2026-13", "2026-1", "26-01", "2026-01-01", "", "0000-01", "0001-01",
                "1969-12", "9999-12"):
        with pytest.raises(DomainError) as refused:
            team_rewards.parse_period(bad)
        assert refused.value.kind == "invalid-period"


def test_due_periods_wait_for_the_return_window():
    window = get_settings().return_window_days
    assert window < 28
    # early in a China month the month before is still in its return window
    early = datetime(2026, 3, 1, 0, tzinfo=UTC)  # 08:00 on 1 March in China
    assert team_rewards.due_periods(early) == ["2026-01", "2025-12"]
    late = datetime(2026, 3, 30, tzinfo=UTC)
    assert team_rewards.due_periods(late) == ["2026-02", "2026-01"]


def test_plan_counts_net_sales_per_leader_and_skips_those_under_the_threshold():
    reward = {"id": "r", **TERMS}
    counted = [{"leader": "L", "order_id": "o1", "cents": 8000},
               {"leader": "L", "order_id": "o2", "cents": 4000},
               {"leader": "M", "order_id": "o2", "cents": 4000},
               {"leader": "D", "order_id": "o1", "cents": 8000},
               {"leader": "D", "order_id": "o2", "cents": 4000}]
    amounts = {"o1": (8000, 0), "o2": (4000, 1000)}
    rows, links = team_bonuses.plan_bonuses(reward, PERIOD, "end", counted, amounts,
                                            {"D": True})
    assert [(r["beneficiary"], r["team_sales_cents"], r["amount_cents"], r["status"],
             r["reason"], r["tier"], r["path"]) for r in rows] == [
        ("D", 11000, 0, "void", "inviter_disabled", 2, ["D"]),
        ("L", 11000, 550, "confirmed", None, 2, ["L"])]
    assert rows[1]["rebate_id"] == f"team:r:{PERIOD}:L"
    assert [(x["order_id"], x["rebate_id"]) for x in links] == [
        ("o1", f"team:r:{PERIOD}:D"), ("o1", f"team:r:{PERIOD}:L"),
        ("o2", f"team:r:{PERIOD}:D"), ("o2", f"team:r:{PERIOD}:L")]


def sales(ids: Any, cat: str, orders: list[tuple[str, str, int]]) -> list[dict[str, Any]]:
    events = []
    for order, buyer, cents in orders:
        events.append(make_order(ids(order), buyer, [(cat, cents)], at=PAID))
        events.append({"type": "order_completed", "order_id": ids(order), "at": DONE})
    return events


def reward(ids: Any, cat: str, **terms: Any) -> str:
    stored = team_rewards.create({"id": ids("team"), "period": "month", "category": cat,
                                  "starts_at": None, "ends_at": None, **{**TERMS, **terms}},
                                 actor="test", role="admin", request_id=None)
    return str(stored["id"])


def pay(reward_id: str) -> dict[str, Any]:
    return team_bonuses.run_period(reward_id, PERIOD, actor="test", role="admin")


def ledger_of(rebate_id: str) -> list[tuple[str, list[str], list[int]]]:
    return [(x["type"], x["buckets"], x["amounts"])
            for x in db.read_query("testing.rebate_ledger", rebate_id=rebate_id)]


def test_concurrent_runs_and_replays_pay_each_leader_once(graph, ids):
    cat = ids("cat").lower()
    leaders = [ids(f"lead{n}") for n in range(6)]
    events, orders = [], []
    for n, leader in enumerate(leaders):
        member = ids(f"m{n}")
        events += make_chain([leader, member])
        orders.append((f"o{n}", member, 10000 + n))
    assert ingest_raw(events + sales(ids, cat, orders)).rejected == []
    reward_id = reward(ids, cat, depth=1)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: pay(reward_id), range(8)))
    assert sum(r["created"] for r in results) == len(leaders)
    assert all(r["created"] + r["already_paid"] == len(leaders) for r in results)
    assert pay(reward_id)["created"] == 0
    for n, leader in enumerate(leaders):
        rebate_id = f"team:{reward_id}:{PERIOD}:{leader}"
        assert ledger_of(rebate_id) == [("accrue", ["pool", "confirmed"],
                                         [-((10000 + n) * 5 // 100), (10000 + n) * 5 // 100])]
    listed = team_bonuses.bonuses(reward_id, PERIOD, limit=4)
    rest = team_bonuses.bonuses(reward_id, PERIOD, limit=4, cursor=listed["next_cursor"])
    assert [b["leader"] for b in listed["items"] + rest["items"]] == sorted(leaders)
    assert rest["next_cursor"] is None


def test_a_refund_voids_a_bonus_not_yet_credited_and_books_it_back(graph, ids):
    cat = ids("cat").lower()
    lead, a, b = ids("lead"), ids("a"), ids("b")
    assert ingest_raw(make_chain([lead, a, b]) + sales(
        ids, cat, [("oa", a, 6000), ("ob", b, 6000)])).rejected == []
    reward_id = reward(ids, cat, bonus_bp=None, bonus_cents=700)
    assert pay(reward_id)["bonus_cents"] == 700 + 0  # lead's team: 12,000; a's: 6,000
    rebate_id = f"team:{reward_id}:{PERIOD}:{lead}"
    refund = {"type": "order_refunded", "order_id": ids("ob"), "refund_id": ids("r"),
              "amount_cents": 2001, "at": "2025-03-01T10:00:00+08:00"}
    assert ingest_raw([refund]).rejected == []
    found = team_bonuses.bonuses(reward_id, PERIOD, limit=10)["items"]
    assert [(x["team_sales_cents"], x["amount_cents"], x["status"], x["reason"])
            for x in found] == [(9999, 0, "void", "order_refunded")]
    assert ledger_of(rebate_id) == [("accrue", ["pool", "confirmed"], [-700, 700]),
                                    ("refund", ["confirmed", "pool"], [-700, 700])]


def test_the_tier_report_checks_what_a_bonus_counted(graph, ids):
    cat = ids("cat").lower()
    lead, a, b, c = ids("lead"), ids("a"), ids("b"), ids("c")
    assert ingest_raw(make_chain([lead, a, b, c]) + sales(
        ids, cat, [("oa", a, 6000), ("ob", b, 6000), ("oc", c, 6000)])).rejected == []
    reward_id = reward(ids, cat)
    assert pay(reward_id)["created"] == 2  # lead (a, b) and a (b, c)
    rebate_id = f"team:{reward_id}:{PERIOD}:{lead}"
    cap = get_settings().max_tiers
    checked = compliance._check_rebates([rebate_id], cap)
    assert (checked["rebates_checked"], checked["team_bonuses_checked"], checked["bad_path"],
            checked["over_cap"], checked["max_paid_tier"]) == (1, 1, 0, 0, 2)
    # an order bought three tiers below the leader, counted by a depth-2 bonus
    db.write_query("testing.count_extra_order", order_id=ids("oc"), rebate_id=rebate_id,
                   cents=6000)
    checked = compliance._check_rebates([rebate_id], cap)
    assert (checked["bad_path"], checked["bad_path_samples"]) == (1, [rebate_id])
    certificate = team_bonuses.certificate(rebate_id)
    assert certificate is not None and certificate["within_cap"] is False
    assert {o["order_id"]: o["path"] for o in certificate["orders"]}[ids("oc")] is None


def test_a_reward_over_a_lowered_cap_pays_nothing_and_shows_in_the_report(graph, ids,
                                                                           monkeypatch):
    cat = ids("cat").lower()
    reward_id = reward(ids, cat, depth=2)
    monkeypatch.setenv("TIERGRAPH_MAX_TIERS", "1")
    get_settings.cache_clear()
    try:
        with pytest.raises(DomainError) as refused:
            pay(reward_id)
        assert refused.value.kind == "tier-limit"
        assert f"team_reward:{reward_id}" in compliance.rules_over_limit(1)["over"]
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    team_rewards.retire(reward_id, actor="test", role="admin", request_id=None)
    assert f"team_reward:{reward_id}" not in compliance.rules_over_limit(1)["over"]


def test_the_beat_pays_no_period_that_ended_before_the_reward_was_made(graph, ids):
    reward_id = reward(ids, ids("cat").lower())
    assert reward_id not in {r["team_reward_id"] for r in team_bonuses.run_due()}


def test_a_months_bonuses_count_on_its_last_day_without_orders_or_gmv():
    assert [analytics.bonus_period(date(2024, 2, d)) for d in (28, 29)] == [None, "2024-02"]
    assert analytics.bonus_period(date(2025, 12, 31)) == "2025-12"
    bonuses = [
        {"team_reward_id": "t1", "category": "home", "kind": "team_bonus",
         "amount_cents": 500, "original_cents": 500, "status": "held"},
        {"team_reward_id": "t2", "category": None, "kind": "team_bonus",
         "amount_cents": 0, "original_cents": 300, "status": "void"}]
    rows = {(r["key_kind"], r["key"]): r
            for r in analytics.fold_day("2024-02-29", [], {}, 100, bonuses)}
    tally = ("orders", "gmv_cents", "rebate_cents", "held_cents", "void_cents")
    assert {k: tuple(r[x] for x in tally) for k, r in rows.items()} == {
        ("day", "2024-02-29"): (0, 0, 500, 500, 300),
        ("rule", "t1"): (0, 0, 500, 500, 0), ("category", "home"): (0, 0, 500, 500, 0),
        ("rule", "t2"): (0, 0, 0, 0, 300), ("category", analytics.NONE_KEY): (0, 0, 0, 0, 300)}


def test_an_export_holds_the_bonuses_of_the_months_ending_within_it():
    def months(start: str, end: str) -> list[str]:
        return compliance_export.periods_ending_in(datetime.fromisoformat(start),
                                                   datetime.fromisoformat(end))

    # a China month ends at 16:00 UTC on its last day
    assert months("2024-07-31T16:00:00+00:00", "2024-08-31T16:00:00+00:00") == ["2024-08"]
    assert months("2024-08-31T16:00:00+00:00", "2024-09-30T15:59:59+00:00") == []
    assert months("2024-01-01T00:00:00+00:00", "2024-12-31T23:00:00+00:00") == [
        f"2024-{m:02d}" for m in range(1, 13)]
