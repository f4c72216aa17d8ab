"""A period's rebates as CSV for compliance (SPEC 10.2): every rebate of the orders paid in
[from, to), in payment order, with the invite path it was paid along. Read in keyset pages of
orders, so a year of a large mall streams without being held in memory.

Team bonuses are in it too: those of the China months that end within (from, to], each
placed in payment order at its month's end (`order_paid_at`), with `order_id` and `buyer`
empty, `tier` the reward's depth, `path` the leader and the reward's id in `rule_ids`.
"""

import csv
import heapq
import io
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from graph import db
from graph.aggregates import MALL_TZ
from graph.money import team_rewards

COLUMNS = ("rebate_id", "order_id", "order_paid_at", "tier", "kind", "amount_cents",
           "original_cents", "status", "reason", "beneficiary", "buyer", "path", "rule_ids",
           "created_at")
ORDERS_PER_READ = 2000
# A spreadsheet runs a cell that starts with one of these as a formula; ids come from the
# mall, so a text cell starting so is written with a leading apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_row(rebate: dict[str, Any]) -> list[Any]:
    """One rebate as the cells of COLUMNS (pure): the path joined with ` > ` from the buyer to
    the beneficiary, rule ids with `;`; a team bonus (no order) has no buyer."""
    path = rebate["path"] or []
    buyer = path[0] if path and rebate["order_id"] is not None else ""
    return [_cell(v) for v in (
        rebate["rebate_id"], rebate["order_id"], rebate["order_paid_at"], rebate["tier"],
        rebate["kind"], rebate["amount_cents"], rebate["original_cents"], rebate["status"],
        rebate["reason"], rebate["beneficiary"], buyer, " > ".join(path),
        ";".join(rebate["rule_ids"] or []), rebate["created_at"])]


def rebates_paid_between(start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
    """Every rebate of the orders paid in [start, end) and every team bonus of a month ending
    in (start, end], in payment order."""
    return heapq.merge(order_rebates(start, end), team_bonuses_between(start, end),
                       key=lambda row: db.to_native(row["paid_key"]))


def periods_ending_in(start: datetime, end: datetime) -> list[str]:
    """The China months (`YYYY-MM`) that end within (start, end], in order (pure)."""
    first = start.astimezone(MALL_TZ).date().replace(day=1)
    last = end.astimezone(MALL_TZ).date()
    out = []
    while first <= last:
        period = team_rewards.period_name(first)
        if start < team_rewards.period_bounds(period)[1] <= end:
            out.append(period)
        first = team_rewards.next_month(first)
    return out


def team_bonuses_between(start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
    """The team bonuses of the months ending in (start, end], a month after the other (all of
    a month's are paid at its end), each month by rebate id."""
    for period in periods_ending_in(start, end):
        after = ""
        while True:
            rows = db.read_rows("compliance.export_team_bonuses", period=period, after=after,
                                limit=ORDERS_PER_READ)
            yield from rows
            if len(rows) < ORDERS_PER_READ:
                break
            after = rows[-1]["rebate_id"]


def order_rebates(start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
    """Every rebate of the orders paid in [start, end), in payment order."""
    after: tuple[Any, Any] = (None, None)
    while True:
        rows = db.read_rows("compliance.export_rebates", **{"from": start, "to": end},
                            limit=ORDERS_PER_READ, after_at=after[0], after_id=after[1])
        if not rows:
            return
        orders = set()
        for row in rows:
            orders.add(row["order_id"])
            if row["rebate_id"] is not None:
                yield row
        if len(orders) < ORDERS_PER_READ:
            return
        last = rows[-1]
        after = (last["paid_key"], last["order_id"])  # the driver's own time, sent back


def csv_lines(start: datetime, end: datetime) -> Iterator[str]:
    """The export as CSV text, the header first, a chunk of lines at a time."""
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow(COLUMNS)
    for n, rebate in enumerate(rebates_paid_between(start, end), 1):
        out.writerow(csv_row(rebate))
        if n % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
