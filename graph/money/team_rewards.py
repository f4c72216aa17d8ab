"""Team rewards: the stored terms a leader's team bonus is paid on, and their periods.

A team reward `{id, threshold_cents, bonus_cents | bonus_bp, period: "month", depth}` pays a
leader whose team (the users 1..depth invite tiers below them) reached `threshold_cents` of
completed sales in a period: `bonus_cents` as a fixed sum, or `bonus_bp` basis points of
the team's sales. `depth` may not exceed the tier cap (TIERGRAPH_MAX_TIERS): a team counted
deeper is pyramid selling, refused as `tier-limit`. Like rebate rules, rewards are never
edited, only created (audited in the same transaction) and retired; `category` limits the
sales counted to that category's items, `starts_at`/`ends_at` to orders paid in that window.

Periods are China months (Asia/Shanghai, graph/aggregates.py), named `YYYY-MM`. A period
is paid once it is closed and its orders' return window (TIERGRAPH_RETURN_WINDOW_DAYS) has
passed (graph/money/team_bonuses.py computes and pays the bonuses).
"""

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from neo4j.exceptions import ConstraintError

from graph import db
from graph.aggregates import MALL_TZ, day_start
from graph.audit import trail
from graph.errors import DomainError, conflict, refused
from graph.settings import get_settings

PERIODS = ("month",)
MAX_BP = 10_000
MAX_CENTS = 10**13  # far above any mall's month
PERIOD_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# The months a period may name: the bounds keep a month's instants, in China and in UTC,
# inside what dates can hold (year 1 less eight hours is not a date).
FIRST_YEAR, LAST_YEAR = 1970, 9998


def terms_problems(reward: dict[str, Any], max_tiers: int) -> list[tuple[str, str]]:
    """What is wrong with a team reward's terms, as (kind, message) pairs (pure): one of
    bonus_cents and bonus_bp, amounts in range, and a depth within the tier cap."""
    problems = []
    if (reward.get("bonus_cents") is None) == (reward.get("bonus_bp") is None):
        problems.append(("validation", "give exactly one of bonus_cents and bonus_bp"))
    if reward.get("bonus_bp") is not None and not 1 <= reward["bonus_bp"] <= MAX_BP:
        problems.append(("validation", f"bonus_bp must be 1..{MAX_BP}"))
    if reward.get("bonus_cents") is not None and not 1 <= reward["bonus_cents"] <= MAX_CENTS:
        problems.append(("validation", f"bonus_cents must be 1..{MAX_CENTS}"))
    if not 1 <= reward["threshold_cents"] <= MAX_CENTS:
        problems.append(("validation", f"threshold_cents must be 1..{MAX_CENTS}"))
    if reward["depth"] < 1:
        problems.append(("validation", "depth must be at least 1"))
    elif reward["depth"] > max_tiers:
        problems.append(("tier-limit", (
            f"depth {reward['depth']} is over the tier cap of {max_tiers}: a team counted "
            "deeper than the platform pays rebates is pyramid selling")))
    return problems


def check_terms(reward: dict[str, Any]) -> None:
    """Raise a DomainError (tier-limit before validation) if these terms may not be stored."""
    problems = terms_problems(reward, get_settings().max_tiers)
    if problems:
        kind = "tier-limit" if any(k == "tier-limit" for k, _ in problems) else "validation"
        raise DomainError(kind, "; ".join(m for _, m in problems),
                          errors=[{"type": k, "msg": m} for k, m in problems])


def bonus_of(sales_cents: int, threshold_cents: int, bonus_cents: int | None,
             bonus_bp: int | None) -> int:
    """A leader's bonus for a team's sales (pure): nothing under the threshold, else the
    fixed sum or the basis points of the sales, rounded down."""
    if sales_cents < threshold_cents:
        return 0
    if bonus_cents is not None:
        return bonus_cents
    return sales_cents * (bonus_bp or 0) // MAX_BP


def net_cents(counted_cents: int, amount_cents: int, refunded_cents: int) -> int:
    """What an order counts towards its team's sales after refunds: its counted cents (the
    whole order, or its items of the reward's category) in proportion to what is left of it,
    rounded down (pure), as a refund lowers an order's rebates."""
    if amount_cents <= 0 or refunded_cents >= amount_cents:
        return 0
    return counted_cents * (amount_cents - refunded_cents) // amount_cents


def parse_period(period: str) -> date:
    """The first day of a `YYYY-MM` period; a 422 `invalid-period` for anything else."""
    found = PERIOD_PATTERN.match(period)
    if found is None:
        raise refused("invalid_period", f"period {period!r} is not a month written YYYY-MM")
    if not FIRST_YEAR <= int(found[1]) <= LAST_YEAR:
        raise refused("invalid_period", f"period {period!r} is outside the years "
                                        f"{FIRST_YEAR} to {LAST_YEAR}")
    return date(int(found[1]), int(found[2]), 1)


def next_month(first: date) -> date:
    """The first day of the month after the one starting on `first` (pure)."""
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def period_bounds(period: str) -> tuple[datetime, datetime]:
    """The UTC instants a China month starts and ends at."""
    first = parse_period(period)
    return day_start(first), day_start(next_month(first))


def period_name(first: date) -> str:
    """`YYYY-MM` of the month starting on `first` (pure)."""
    return f"{first.year:04d}-{first.month:02d}"


def payable_from(period: str) -> datetime:
    """When a period may be paid: its end plus the return window, so that every order paid
    in it is completed or past its window."""
    return period_bounds(period)[1] + timedelta(days=get_settings().return_window_days)


def check_closed(period: str, now: datetime) -> None:
    """Refuse (422 `period-not-closed`) a period that cannot be paid yet."""
    ready = payable_from(period)
    if now < ready:
        raise refused("period_not_closed", (
            f"period {period} can be paid from {ready.isoformat()}: its return windows "
            "are not over yet"))


def due_periods(now: datetime, back: int = 2) -> list[str]:
    """The latest `back` months that may be paid at `now`, newest first (the beat pays
    them if no run has yet)."""
    first = now.astimezone(MALL_TZ).date().replace(day=1)
    out: list[str] = []
    for _ in range(back + 24):
        first = (first - timedelta(days=1)).replace(day=1)
        if payable_from(period_name(first)) <= now:
            out.append(period_name(first))
            if len(out) == back:
                break
    return out


def _as_json(reward: dict[str, Any]) -> dict[str, Any]:
    out = dict(reward)
    for key in ("starts_at", "ends_at", "created_at", "retired_at"):
        value = db.to_native(out.get(key))
        out[key] = value.isoformat() if isinstance(value, datetime) else value
    return out


def create(reward: dict[str, Any], *, actor: str, role: str,
           request_id: str | None) -> dict[str, Any]:
    """Check and store a team reward, with its audit entry in the same transaction; an
    existing id is a 409 (rewards are never edited: create a new one, retire the old)."""
    check_terms(reward)
    stored = {**reward, "created_by": actor}

    def work(tx: Any) -> None:
        if db.run(tx, "team_rewards.exists", id=reward["id"])[0]["found"]:
            raise conflict(f"team reward {reward['id']!r} exists; rewards are never edited "
                           "in place: create a new one")
        db.run(tx, "team_rewards.create", reward=stored, now=datetime.now(UTC))
        trail.append(tx, actor=actor, role=role, action="team_reward.create",
                     target=f"team_reward:{reward['id']}", before=None, after=stored,
                     request_id=request_id)

    try:
        db.write(work)
    except ConstraintError:  # a concurrent creation of the same id won the race
        raise conflict(f"team reward {reward['id']!r} exists") from None
    found = get(reward["id"])
    assert found is not None
    return found


def list_all() -> list[dict[str, Any]]:
    """Every team reward, newest first."""
    return [_as_json(r) for r in db.read_query("team_rewards.list", id=None)]


def get(reward_id: str) -> dict[str, Any] | None:
    """One team reward, or None."""
    rows = db.read_query("team_rewards.list", id=reward_id)
    return _as_json(rows[0]) if rows else None


def retire(reward_id: str, *, actor: str, role: str, request_id: str | None) -> bool | None:
    """Stop a reward counting orders paid from now on (audited); None if unknown, False if
    it was retired already."""

    def work(tx: Any) -> bool | None:
        rows = db.run(tx, "team_rewards.retire", id=reward_id, now=datetime.now(UTC))
        if not rows:
            return None
        if rows[0]["before"] == "retired":
            return False
        trail.append(tx, actor=actor, role=role, action="team_reward.retire",
                     target=f"team_reward:{reward_id}", before={"status": rows[0]["before"]},
                     after={"status": "retired"}, request_id=request_id)
        return True

    return db.write(work)
