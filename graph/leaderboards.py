"""Invite leaderboards of the mall's current week and month, kept as the events arrive.

Periods are mall periods in Asia/Shanghai time (graph/aggregates.py): a week starts on
Monday 00:00 there, a month on its first day, as a mall in China counts them.

An `InviteTally {period, user_id}` per inviter and period holds, for that period:
`invitees`, the users they invited who registered in it; `orders`, those invitees' orders
paid in it; `rebate_cents`, the inviter's cash rebates created in it and not void. The fold
(graph/analytics.fold, every minute) recounts the tallies of the inviters touched since its
last run (a new invitee, an invitee's new order, a rebate of theirs created, held, released,
voided or refunded), from that inviter's own edges and rebates (indexed), so one fold costs
what changed, not the graph.

The read walks the period's tallies most invitees first (index order; then orders, rebates,
id) and leaves out users on a risk hold (a ring's `hold_ring`, or rebates held on their own
signals), users confirmed as fraud, and members of a confirmed ring or of one at or above
TIERGRAPH_HOLD_SCORE that is not dismissed: checked at read time, not at the fold, so a hold
shows on the next read. The API keeps a page a second, so there a hold shows within
HOLD_SHOWN_WITHIN_SECONDS.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from graph import db, paging
from graph.aggregates import MALL_TZ, TZ_NAME, day_start
from graph.settings import get_settings
from graph.timed_answers import TimedAnswers

Period = Literal["week", "month"]
BATCH = 500  # tallies recounted per write transaction
# The API keeps each page up to a second, then gives it a second more while one read renews
# it (graph/timed_answers.py): a board the mall's app shows to many members costs the graph
# about one read per page and second, and a new hold leaves it within two seconds.
ANSWER_SECONDS = 1.0
HOLD_SHOWN_WITHIN_SECONDS = 2 * ANSWER_SECONDS
_answers = TimedAnswers(ANSWER_SECONDS, max_entries=1024, spread=0.25)
db.after_reset(_answers.clear)


def period_start(kind: str, day: date) -> date:
    """The first day of the week (Monday) or month holding `day` (pure)."""
    return day - timedelta(days=day.weekday()) if kind == "week" else day.replace(day=1)


def period_end(kind: str, start: date) -> date:
    """The first day after the period starting on `start` (pure)."""
    if kind == "week":
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def period_key(kind: str, start: date) -> str:
    """A tally's period: `week:2026-11-30`, `month:2026-12-01` (pure)."""
    return f"{kind}:{start.isoformat()}"


def _instant(day: date) -> str:
    return day_start(day).isoformat()


def tally_rows(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The tallies to recount for changes {user_id, day}: each user's week and month of each
    day, once, with their UTC bounds (pure)."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for change in changes:
        day = date.fromisoformat(change["day"])
        for kind in ("week", "month"):
            start = period_start(kind, day)
            key = period_key(kind, start)
            rows.setdefault((change["user_id"], key), {
                "user_id": change["user_id"], "period": key, "start": _instant(start),
                "end": _instant(period_end(kind, start))})
    return [rows[k] for k in sorted(rows)]


def refold(since: datetime, now: datetime) -> int:
    """Recount the tallies of what changed since `since`; returns how many were recounted."""
    changes = db.read_rows("leaderboards.dirty_tallies", since=since.isoformat(), tz=TZ_NAME)
    rows = tally_rows(changes)
    for start in range(0, len(rows), BATCH):
        db.write_query("leaderboards.store_tallies", rows=rows[start:start + BATCH],
                       now=now.isoformat())
    return len(rows)


def _after(keys: list[Any]) -> dict[str, Any]:
    rank, invitees, orders, rebate_cents, user_id = keys
    if not all(type(k) is int for k in (rank, invitees, orders, rebate_cents)) or \
            type(user_id) is not str:
        raise ValueError("not a leaderboard position")
    return {"rank": rank, "invitees": invitees, "orders": orders, "rebate_cents": rebate_cents,
            "user_id": user_id}


def invites(period: Period, limit: int, cursor: str | None = None,
            now: datetime | None = None) -> dict[str, Any]:
    """A page of the current week's or month's invite leaderboard, ranked, held users and
    ring members left out; `cursor` (next_cursor of the page before) goes on after it."""
    start, after, params = _ask(period, limit, cursor, now)
    found = db.read_query("leaderboards.invites", **params)[0]
    return _page(period, limit, start, after, found)


async def invites_async(period: Period, limit: int, cursor: str | None = None,
                        render: Callable[[dict[str, Any]], Any] = lambda page: page) -> Any:
    """`invites` on the event loop (the API's route), as `render` makes it (the route: its
    JSON bytes): a page kept (see ANSWER_SECONDS), the read under way for the same page, or
    one read through the async driver."""
    start, after, params = _ask(period, limit, cursor, None)

    async def read() -> Any:
        found = (await db.read_query_async("leaderboards.invites", **params))[0]
        return render(_page(period, limit, start, after, found))

    return await _answers.get_async((params["period"], limit, cursor, render), read)


def forget_answers() -> None:
    """Drop the pages this process keeps (after a fold in it)."""
    _answers.clear()


def _ask(period: Period, limit: int, cursor: str | None,
         now: datetime | None) -> tuple[date, dict[str, Any] | None, dict[str, Any]]:
    """The period's first day, the position after which to go on, and the read's
    parameters; a cursor that is not a position is refused."""
    today = (now or datetime.now(UTC)).astimezone(MALL_TZ).date()
    start = period_start(period, today)
    after = paging.decode(cursor, _after)
    return start, after, {"period": period_key(period, start), "limit": limit + 1,
                          "after": after, "hold_score": get_settings().hold_score}


def _page(period: Period, limit: int, start: date, after: dict[str, Any] | None,
          found: dict[str, Any]) -> dict[str, Any]:
    """The page of a read's {rows, as_of} (pure)."""
    first = after["rank"] + 1 if after else 1
    ranked = [{"rank": n, **row} for n, row in enumerate(found["rows"], start=first)]
    page = paging.page(ranked, limit, lambda e: [e["rank"], e["invitees"], e["orders"],
                                                 e["rebate_cents"], e["user_id"]])
    return {"period": period, "starts_on": start.isoformat(),
            "ends_before": period_end(period, start).isoformat(), "time_zone": TZ_NAME,
            "as_of": found["as_of"], "entries": page["items"],
            "next_cursor": page["next_cursor"]}
