"""The growth suite's pure parts (lab/bench/growth.py): the generated mall's dates, the reads it
asks for, and its tables; and how a `--reuse` run finds the mall a `--keep` run left. The suite
itself is a benchmark, not a test."""

from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from rich.console import Console

from graph import analytics
from graph.aggregates import MALL_TZ
from graph.analytics import MAX_DAYS
from graph.leaderboards import period_start
from lab.bench import growth
from tests.conftest import auth
from tests.factories import make_order, make_user

NOW = datetime(2026, 12, 5, 7, 30, tzinfo=UTC)


def test_the_mall_registers_and_orders_over_the_year_up_to_now():
    events = growth.events(3000, 4000, seed=3, now=NOW)
    users = [e for e in events if e["type"] == "user_registered"]
    orders = [e for e in events if e["type"] == "order_paid"]
    assert (len(users), len(orders)) == (3000, 4000)
    joined = {e["user_id"]: datetime.fromisoformat(e["at"]) for e in users}
    start = NOW - timedelta(days=growth.DAYS)
    assert all(start <= at <= NOW for at in joined.values())
    # inviters come first and registered earlier
    seen: set[str] = set()
    for e in users:
        assert e.get("invited_by") is None or e["invited_by"] in seen
        seen.add(e["user_id"])
    paid = [datetime.fromisoformat(e["at"]) for e in orders]
    assert paid == sorted(paid) and start <= paid[0] and paid[-1] <= NOW
    assert all(joined[e["user_id"]] <= datetime.fromisoformat(e["at"]) for e in orders)
    assert all(e["amount_cents"] == sum(i["amount_cents"] for i in e["items"]) for e in orders)
    assert {i["category"] for e in orders for i in e["items"]} == set(growth.CATEGORIES)
    assert len({e["order_id"] for e in orders}) == len(orders)
    # this week and this month (China's) have invitees and orders: the reads have rows
    today = NOW.astimezone(MALL_TZ).date()
    week = datetime.combine(period_start("week", today), datetime.min.time(), MALL_TZ)
    invited = [e for e in users if e.get("invited_by") and joined[e["user_id"]] >= week]
    assert invited and any(at >= week for at in paid)


def test_the_same_seed_makes_the_same_mall():
    assert growth.events(500, 500, 1, NOW) == growth.events(500, 500, 1, NOW)
    assert growth.events(500, 500, 1, NOW) != growth.events(500, 500, 2, NOW)


def test_the_reads_cover_each_grouping_and_period_within_the_limits():
    today = date(2026, 12, 5)
    variants = growth.variants(today, seed=1)
    assert [v.label for v in variants] == [
        "roi by rule, a month", "roi by rule, a year", "roi by category, a month",
        "roi by category, a year", "roi by day, a month", "roi by day, a year",
        "roi by rule, windows not asked before", "leaderboard, week, limit 10",
        "leaderboard, week, limit 100",
        "leaderboard, month, limit 10", "leaderboard, month, limit 100"]
    for variant in variants:
        for path in variant.paths:
            url = urlsplit(path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if variant.route == "roi":
                assert url.path == "/v1/analytics/roi"
                first, last = (date.fromisoformat(query[k]) for k in ("from", "to"))
                days = (last - first).days + 1
                if variant.label.endswith("before"):
                    assert 1 <= days <= MAX_DAYS
                else:
                    assert days == (30 if variant.label.endswith("month") else MAX_DAYS)
                assert last <= today and first >= today - timedelta(days=growth.DAYS + MAX_DAYS)
                assert variant.label.startswith(f"roi by {query['group_by']}")
            else:
                assert url.path == "/v1/leaderboards/invites"
                assert variant.label == (f"leaderboard, {query['period']}, "
                                         f"limit {query['limit']}")
    month = next(v for v in variants if v.label == "roi by rule, a month")
    assert len(set(month.paths)) > 1  # requests spread over windows, not one answer
    cold = next(v for v in variants if v.label.endswith("not asked before"))
    assert len(set(cold.paths)) == growth.COLD_WINDOWS  # no question comes twice


def test_the_tables_show_phases_folds_and_each_read():
    results = {
        "users": 2000, "orders": 5000, "seconds": 2, "machine": "box: 2 cores",
        "phases": [{"label": "fold, from nothing (366 days, 9,786 tallies)", "seconds": 1.5}],
        "rows": [{"label": "roi by rule, a month", "connections": c, "per_s": 100.0 * c,
                  "p50_ms": 1.0, "p99_ms": 4.0, "rows": 4} for c in growth.CONNECTIONS],
        "in_process": [{"label": "graph.analytics.roi, a year by rule", "per_s": 500.0,
                        "p50_ms": 1.5, "p99_ms": 3.5}],
        "profile": {"analytics.roi": {"db_hits": 1234, "operators": []}}}
    console = Console(width=200, record=True)
    console.print(*growth.tables(results))
    text = console.export_text()
    for expected in ("fold, from nothing (366 days, 9,786 tallies)", "1.5",
                     "roi by rule, a month", "3,200", "1,234 db hits", "box: 2 cores",
                     "graph.analytics.roi, a year by rule (in process, no HTTP)"):
        assert expected in text


def test_a_reuse_run_finds_the_folded_mall_and_refuses_one_never_folded(client, clean_graph, ids):
    with pytest.raises(RuntimeError, match="--keep"):
        growth.loaded_mall()
    events = [make_user(ids("u1")), make_user(ids("u2"), ids("u1")),
              make_order(ids("o1"), ids("u2"))]
    assert client.post("/v1/events", headers=auth("mall"), json=events).json()["accepted"] == 3
    with pytest.raises(RuntimeError, match="--keep"):
        growth.loaded_mall()  # loaded, not folded yet
    analytics.fold()
    assert growth.loaded_mall() == {"users": 2, "orders": 1}
