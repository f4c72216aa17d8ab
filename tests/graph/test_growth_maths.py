"""The pure parts of the growth aggregates: splitting a rebate over its items, the ROI rows
of a day, the mall's periods and the points that expire (no database)."""

from datetime import UTC, date, datetime, timedelta

from graph import aggregates, analytics, leaderboards
from graph.money import points

RULES = {"default": {"id": "default", "category": None, "tiers": [1000, 500, 200]},
         "camp": {"id": "camp", "category": "beauty", "tiers": [2000, 1000]}}


def test_a_split_sums_to_the_total_and_follows_the_weights():
    assert analytics.split(1500, [10, 5]) == [1000, 500]
    assert analytics.split(100, [1, 1, 1]) == [34, 33, 33]  # the cent left goes first
    assert analytics.split(7, [0, 0]) == [4, 3]  # no weight: equal shares
    assert analytics.split(0, [3, 4]) == [0, 0]
    assert analytics.split(5, []) == []


def test_an_item_goes_to_the_rule_of_its_category_else_the_rule_for_all():
    assert analytics.item_rule(["camp", "default"], "beauty", RULES) == "camp"
    assert analytics.item_rule(["camp", "default"], "home", RULES) == "default"
    assert analytics.item_rule(["camp"], "home", RULES) == "camp"
    assert analytics.item_rule([], "home", RULES) is None


def test_a_day_of_orders_folds_into_rows_by_day_category_and_rule():
    # one mixed order: beauty 5000 under the campaign (20% / 10%), home 5000 by default
    # (10% / 5%), tier 1 paid 1500 and tier 2 750; and an order refunded in full
    mixed = {"order_id": "o1", "amount_cents": 10000, "refunded_cents": 0,
             "categories": ["beauty", "home"], "amounts": [5000, 5000], "rebates": [
                 {"tier": 1, "kind": "cash", "amount_cents": 1500, "original_cents": 1500,
                  "status": "pending", "rule_ids": ["camp", "default"]},
                 {"tier": 2, "kind": "cash", "amount_cents": 750, "original_cents": 750,
                  "status": "held", "rule_ids": ["camp", "default"]}]}
    refunded = {"order_id": "o2", "amount_cents": 4000, "refunded_cents": 4000,
                "categories": ["home"], "amounts": [4000], "rebates": [
                    {"tier": 1, "kind": "points", "amount_cents": 0, "original_cents": 40000,
                     "status": "void", "rule_ids": ["default"]}]}
    rows = analytics.fold_day("2026-03-02", [mixed, refunded], RULES, per_yuan=200)
    got = {(r["key_kind"], r["key"]): (r["orders"], r["gmv_cents"], r["rebate_cents"],
                                       r["held_cents"], r["void_cents"]) for r in rows}
    assert got == {
        ("day", "2026-03-02"): (2, 10000, 2250, 750, 20000),  # 40000 points at 200 a yuan
        ("category", "beauty"): (1, 5000, 1500, 500, 0),
        ("category", "home"): (2, 5000, 750, 250, 20000),
        ("rule", "camp"): (1, 5000, 1500, 500, 0),
        ("rule", "default"): (2, 5000, 750, 250, 20000),
    }


def test_mall_periods_are_china_weeks_and_months():
    assert leaderboards.period_start("week", date(2026, 12, 5)) == date(2026, 11, 30)
    assert leaderboards.period_end("week", date(2026, 11, 30)) == date(2026, 12, 7)
    assert leaderboards.period_start("month", date(2026, 12, 5)) == date(2026, 12, 1)
    assert leaderboards.period_end("month", date(2026, 12, 1)) == date(2027, 1, 1)
    assert leaderboards.period_end("month", date(2026, 1, 1)) == date(2026, 2, 1)
    # 23:30 UTC on the 6th is the 7th in China: a Monday, a new week
    assert aggregates.mall_day(datetime(2026, 12, 6, 23, 30, tzinfo=UTC)) == date(2026, 12, 7)
    assert aggregates.day_bounds(date(2026, 12, 7))[0] == datetime(2026, 12, 6, 16, tzinfo=UTC)
    rows = leaderboards.tally_rows([{"user_id": "u", "day": "2026-12-07"},
                                    {"user_id": "u", "day": "2026-12-08"}])
    assert [(r["period"], r["start"]) for r in rows] == [
        ("month:2026-12-01", "2026-11-30T16:00:00+00:00"),
        ("week:2026-12-07", "2026-12-06T16:00:00+00:00")]


def test_what_expires_is_what_is_left_of_the_old_credits():
    assert points.expired_points(5000, 3000) == 2000  # spending took the oldest first
    assert points.expired_points(5000, 7000) == 0
    assert points.expiry_cutoff(datetime(2026, 12, 5, 23, 59, tzinfo=UTC), 365) == \
        datetime(2025, 12, 5, tzinfo=UTC)


def test_a_window_is_read_as_edge_days_and_the_full_months_between():
    split, d = analytics.split_window, date.fromisoformat
    # a year ending mid-month: days to the month's end, eleven months, days of the last
    window = split(d("2025-11-21"), d("2026-11-20"))
    assert window == analytics.Window(d("2025-11-30"), d("2025-12-01"), d("2026-10-01"),
                                      d("2026-11-01"))
    # whole months only: no day at either edge
    assert split(d("2026-02-01"), d("2026-03-31")) == analytics.Window(
        d("2026-01-31"), d("2026-02-01"), d("2026-03-01"), None)
    # no full month inside: every day read from its day row
    assert split(d("2026-03-02"), d("2026-03-30")) == analytics.Window(
        d("2026-03-30"), None, None, None)
    assert split(d("2026-02-15"), d("2026-03-14")) == analytics.Window(
        d("2026-03-14"), None, None, None)
    # a leap February, and one day
    assert split(d("2024-02-01"), d("2024-02-29")).first_month == d("2024-02-01")
    assert split(d("2026-12-31"), d("2026-12-31")) == analytics.Window(
        d("2026-12-31"), None, None, None)
    # every day of a window is read once: edges and months cover it without overlap
    def days(first, last):
        return [first + timedelta(days=k) for k in range((last - first).days + 1)]

    def month_end(first_day):
        return leaderboards.period_end("month", first_day) - timedelta(days=1)

    for first, last in [(d("2025-01-17"), d("2025-12-03")), (d("2024-12-31"), d("2025-12-30")),
                        (d("2025-03-01"), d("2025-03-31")), (d("2025-03-05"), d("2025-04-30"))]:
        window = split(first, last)
        read = days(first, window.head_to)
        if window.first_month:
            read += days(window.first_month, month_end(window.last_month))
        if window.tail_from:
            read += days(window.tail_from, last)
        assert sorted(read) == days(first, last)
