"""ROI of the referral channel, kept as the events arrive: day aggregates folded by a worker.

Read side: `GET /v1/analytics/roi` sums stored rows, never the orders: by day, the
`RoiDay {day, key_kind, key}` rows of the asked days; by rule or category, the day rows of
the days before the window's first full month and after its last (split_window), and the
`RoiMonth {month, key_kind, key}` rows the fold keeps of the months between (a year: about 12
rows a key, not 366). A process keeps each answer ANSWER_SECONDS (graph/timed_answers.py); a
fold in the process drops them, and every answer names the fold it is as of.

Days are mall days in Asia/Shanghai time (graph/aggregates.py): WeChat malls sell in China,
and a mall's "yesterday" or "this month" is China's. An order belongs to the day it was paid.

What a row counts, over orders paid that day by invited buyers (buyers with an inviter: the
orders the channel can pay for):
- `orders`, and `gmv_cents`: what was paid less what was refunded;
- `rebate_cents`: their rebates not void (pending to credited, held included: what the mall
  pays or may still pay), points valued at TIERGRAPH_POINTS_PER_YUAN;
- `held_cents`: the part of it on a risk hold; `void_cents`: what the void rebates had been
  computed at (`original_cents`: refunded, excluded, fraud);
- `roi` (at read): GMV per yuan of rebate, gmv_cents / rebate_cents; null without rebate.
By `rule` and `category`, an order's items carry its GMV and its rebates: each item goes to
the rule among the rebate's `rule_ids` that targets the item's category (else the rule for
all categories), and a rebate is split over its items by amount times that rule's rate at
the rebate's tier (what the rule maths paid on each, before rounding).

Team bonuses (graph/money/team_bonuses.py) are rebate money the channel costs, earned by a
month's sales rather than one order: a month's bonuses count on its last mall day (they are
paid at its end), in `rebate_cents`, `held_cents` and `void_cents` alike, keyed by the team
reward's id for `rule`, its category (or "(none)") for `category`, and that day for `day`.
They add no order and no GMV: the orders they counted are in their own days already.

Write side (`fold`): a day's rows are recomputed whole from its orders whenever anything of
that day changed since the last fold. Changes are found by indexed write times: orders
received, rebates created, held, released or voided, team bonuses lowered (`adjusted_at`,
by a refund or a fraud confirmation), and buyers touched by a refund (a refund stamps its
buyer's touched_at in the transaction that adjusts the rebates). Status
moves along the settlement path (pending to credited) change nothing counted here. A fold
scans from its last watermark less FOLD_OVERLAP (writes stamped before a fold started but
committed after it was read are caught by the next), then moves the watermark to its
start; recomputing a day twice is harmless. The beat folds every minute; a reader sees
everything written before `as_of`, the watermark, about a minute behind the events.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from graph import db, leaderboards
from graph.aggregates import TZ_NAME, day_bounds
from graph.errors import DomainError
from graph.money import team_rewards
from graph.settings import get_settings
from graph.timed_answers import TimedAnswers

KEY_KINDS = ("rule", "category", "day")
NONE_KEY = "(none)"  # an item without a category, an order paid by no rule
FOLD_OVERLAP = timedelta(minutes=5)
MAX_DAYS = 366  # the longest period one ROI read sums
MONTHS_BATCH = 12  # month rows rebuilt per write transaction
# ROI answers kept in the process: the rows change once a fold (a minute), so a few seconds
# more behind costs a dashboard nothing and spares the graph its polls
ANSWER_SECONDS = 5.0
_answers = TimedAnswers(ANSWER_SECONDS, max_entries=1024, spread=0.25)
db.after_reset(_answers.clear)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class Tally:
    orders: int = 0
    gmv_cents: int = 0
    rebate_cents: int = 0
    held_cents: int = 0
    void_cents: int = 0


def split(total: int, weights: list[int]) -> list[int]:
    """`total` split in proportion to `weights`, the cents left by rounding down going to the
    largest remainders (equal shares when every weight is zero); sums to `total` (pure)."""
    if not weights:
        return []
    if sum(weights) <= 0:
        weights = [1] * len(weights)
    whole = sum(weights)
    shares = [total * w // whole for w in weights]
    order = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


def item_rule(rule_ids: list[str], category: str | None, rules: dict[str, dict[str, Any]]
              ) -> str | None:
    """The rule among `rule_ids` that paid on an item of `category`: the one targeting the
    category, else one for all categories, else the first (pure)."""
    if category:
        for rule_id in rule_ids:
            if rules.get(rule_id, {}).get("category") == category:
                return rule_id
    for rule_id in rule_ids:
        if rules.get(rule_id, {}).get("category") is None:
            return rule_id
    return rule_ids[0] if rule_ids else None


def _rate(rules: dict[str, dict[str, Any]], rule_id: str | None, tier: int) -> int:
    tiers = rules.get(rule_id or "", {}).get("tiers") or []
    return int(tiers[tier - 1]) if 0 < tier <= len(tiers) else 0


def value_cents(kind: str, cents: int, per_yuan: int) -> int:
    """A rebate's amount in cents: points at their conversion rate (pure)."""
    return cents * 100 // per_yuan if kind == "points" else cents


def _add_rebate(tally: Tally, status: str, cents: int) -> None:
    """Count a rebate's share (its amount, or what it had been computed at if void)."""
    if status == "void":
        tally.void_cents += cents
    else:
        tally.rebate_cents += cents
        if status == "held":
            tally.held_cents += cents


def fold_day(day: str, orders: list[dict[str, Any]], rules: dict[str, dict[str, Any]],
             per_yuan: int, bonuses: list[dict[str, Any]] | None = None
             ) -> list[dict[str, Any]]:
    """The ROI rows of one mall day from its orders (day_orders rows) and the team bonuses
    counted on it (day_bonuses rows), by rule, category and the day itself (pure)."""
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for bonus in bonuses or []:
        void = bonus["status"] == "void"
        cents = value_cents(bonus["kind"], (bonus["original_cents"] if void
                                            else bonus["amount_cents"]) or 0, per_yuan)
        for key in (("day", day), ("rule", bonus["team_reward_id"]),
                    ("category", bonus["category"] or NONE_KEY)):
            _add_rebate(tallies[key], bonus["status"], cents)
    for order in orders:
        categories = order["categories"] or [None]
        amounts = order["amounts"] or [order["amount_cents"]]
        cats = [c or NONE_KEY for c in categories]
        rebates = order["rebates"]
        all_rules = list(dict.fromkeys(r for rb in rebates for r in (rb["rule_ids"] or [])))
        touched = {("day", day)}
        net = order["amount_cents"] - order["refunded_cents"]
        gmv = split(net, list(amounts))
        tallies["day", day].gmv_cents += net
        for i, category in enumerate(categories):
            rule = item_rule(all_rules, category, rules) or NONE_KEY
            for key in (("category", cats[i]), ("rule", rule)):
                tallies[key].gmv_cents += gmv[i]
                touched.add(key)
        for rb in rebates:
            rule_ids = rb["rule_ids"] or []
            item_rules = [item_rule(rule_ids, c, rules) for c in categories]
            weights = [a * _rate(rules, r, rb["tier"]) for a, r in zip(amounts, item_rules,
                                                                        strict=True)]
            if sum(weights) <= 0:
                weights = list(amounts)
            void = rb["status"] == "void"
            cents = rb["original_cents"] if void else rb["amount_cents"]
            total = value_cents(rb["kind"], cents or 0, per_yuan)
            keys = [("day", day)] + [
                key for i in range(len(categories))
                for key in (("category", cats[i]), ("rule", item_rules[i] or NONE_KEY))]
            shares = [total] + [s for share in split(total, weights) for s in (share, share)]
            for key, share in zip(keys, shares, strict=True):
                _add_rebate(tallies[key], rb["status"], share)
                touched.add(key)
        for key in touched:
            tallies[key].orders += 1
    return [{"key_kind": kind, "key": key, **vars(t)}
            for (kind, key), t in sorted(tallies.items())]


def bonus_period(day: date) -> str | None:
    """The month whose team bonuses count on `day`: its own when it is a month's last day,
    else none (pure)."""
    if (day + timedelta(days=1)).day != 1:
        return None
    return team_rewards.period_name(day.replace(day=1))


def refold_day(day: str, rules: dict[str, dict[str, Any]], now: datetime) -> int:
    """Recompute and store one mall day's ROI rows; returns how many rows it has."""
    start, end = day_bounds(date.fromisoformat(day))
    orders = db.read_rows("analytics.day_orders", start=start.isoformat(), end=end.isoformat())
    period = bonus_period(date.fromisoformat(day))
    bonuses = db.read_rows("analytics.day_bonuses", period=period) if period else []
    rows = fold_day(day, orders, rules, get_settings().points_per_yuan, bonuses)
    db.write_query("analytics.store_day", day=day, rows=rows, now=now.isoformat())
    return len(rows)


def fold(now: datetime | None = None) -> dict[str, Any]:
    """Fold what changed since the last fold into the ROI days and the invite tallies, then
    move the watermark to this fold's start; returns the days and tallies redone and the new
    watermark (`as_of`)."""
    started = now or datetime.now(UTC)
    state = db.read_query("analytics.fold_state")
    since = (datetime.fromisoformat(state[0]["watermark"]) - FOLD_OVERLAP
             if state and state[0]["watermark"] else EPOCH)
    days = sorted(str(day) for day in db.read_rows("analytics.dirty_days",
                                                    since=since.isoformat(), tz=TZ_NAME))
    rules = {r["id"]: r for r in db.read_rows("analytics.rules")}
    for day in days:
        refold_day(day, rules, started)
    # the month rows of the days redone; all of them the first time (a store folded before)
    built = bool(state and state[0]["months_built"])
    months = sorted({day[:7] for day in days}) if built else \
        db.read_rows("analytics.roi_months")
    for start in range(0, len(months), MONTHS_BATCH):
        db.write_query("analytics.store_months", months=months[start:start + MONTHS_BATCH])
    tallies = leaderboards.refold(since, started)
    watermark = db.write_query("analytics.mark_fold", watermark=started.isoformat(),
                               now=datetime.now(UTC).isoformat(),
                               months_built=True)[0]["watermark"]
    _answers.clear()  # this process answers from the new rows at once; others within seconds
    leaderboards.forget_answers()
    return {"days": len(days), "tallies": tallies, "since": since.isoformat(),
            "as_of": watermark}


def _checked(first: date, last: date, group_by: str) -> None:
    if group_by not in KEY_KINDS:
        raise DomainError("validation", f"group_by is one of {', '.join(KEY_KINDS)}")
    if last < first:
        raise DomainError("validation", f"to ({last}) is before from ({first})")
    if (last - first).days + 1 > MAX_DAYS:
        raise DomainError("validation", f"a period of at most {MAX_DAYS} days, "
                                        f"{(last - first).days + 1} asked")


def roi(first: date, last: date, group_by: str) -> dict[str, Any]:
    """ROI rows per key of `group_by` over mall days `first`..`last` (inclusive), from the
    day aggregates; refused (422) when the period is reversed or longer than MAX_DAYS."""
    _checked(first, last, group_by)
    answer: dict[str, Any] = _answers.get((first, last, group_by),
                                          lambda: roi_read(first, last, group_by))
    return answer


async def roi_async(first: date, last: date, group_by: str,
                    render: Callable[[dict[str, Any]], Any] = lambda answer: answer) -> Any:
    """`roi` on the event loop (the API's route), as `render` makes it (the route: its JSON
    bytes, made once per answer kept): a kept answer, the read under way for the same
    question, or one read through the async driver."""
    _checked(first, last, group_by)

    async def read() -> Any:
        found = await db.read_query_async("analytics.roi", **roi_params(first, last, group_by))
        return render(_roi_answer(first, last, group_by, found[0]))

    return await _answers.get_async((first, last, group_by, render), read)


def roi_read(first: date, last: date, group_by: str) -> dict[str, Any]:
    """`roi` read from the graph, not from the answers this process keeps (unchecked)."""
    found = db.read_query("analytics.roi", **roi_params(first, last, group_by))
    return _roi_answer(first, last, group_by, found[0])


def roi_params(first: date, last: date, group_by: str) -> dict[str, Any]:
    """The parameters of cypher/analytics/roi.cypher for a window (pure)."""
    window = split_window(first, last) if group_by != "day" else Window(last, None, None, None)
    return {"key_kind": group_by, "from": first.isoformat(), "to": last.isoformat(),
            "head_to": window.head_to.isoformat(), "first_month": _month(window.first_month),
            "last_month": _month(window.last_month), "tail_from": _day(window.tail_from)}


def _month(day: date | None) -> str:
    return day.isoformat()[:7] if day else "9999-12"  # no month: a range that holds none


def _day(day: date | None) -> str:
    return day.isoformat() if day else "9999-12-31"


class Window(NamedTuple):
    """A read's window (split_window): day rows to head_to, month rows, day rows from
    tail_from."""

    head_to: date
    first_month: date | None
    last_month: date | None
    tail_from: date | None


def split_window(first: date, last: date) -> Window:
    """Mall days `first`..`last` as the days before its first full month (`first`..
    `head_to`, none when head_to < first), its full months (`first_month`..`last_month`,
    their first days; None when none) and the days after them (`tail_from`..`last`; None
    when none): a read sums day rows only at the edges (pure)."""
    month_start = first if first.day == 1 else \
        leaderboards.period_end("month", first.replace(day=1))
    after = last + timedelta(days=1)
    month_end = last if after.day == 1 else last.replace(day=1) - timedelta(days=1)
    if month_start > month_end:
        return Window(last, None, None, None)
    return Window(month_start - timedelta(days=1), month_start, month_end.replace(day=1),
                  month_end + timedelta(days=1) if month_end < last else None)


def _roi_answer(first: date, last: date, group_by: str,
                found: dict[str, Any]) -> dict[str, Any]:
    """The answer of a read's {rows, as_of} (pure)."""
    rows = found["rows"]
    for row in rows:
        row["roi"] = (round(row["gmv_cents"] / row["rebate_cents"], 4)
                      if row["rebate_cents"] else None)
    return {"from": first.isoformat(), "to": last.isoformat(), "group_by": group_by,
            "time_zone": TZ_NAME, "as_of": found["as_of"], "rows": rows}
