"""A period's rebates as CSV for compliance (SPEC 10.2): every rebate of the orders paid in
[from, to), in payment order, with the invite path it was paid along. Read in keyset pages of
orders, so a year of a large mall streams without being held in memory."""

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from graph import db

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
    the beneficiary, rule ids with `;`."""
    path = rebate["path"] or []
    return [_cell(v) for v in (
        rebate["rebate_id"], rebate["order_id"], rebate["order_paid_at"], rebate["tier"],
        rebate["kind"], rebate["amount_cents"], rebate["original_cents"], rebate["status"],
        rebate["reason"], rebate["beneficiary"], path[0] if path else "", " > ".join(path),
        ";".join(rebate["rule_ids"] or []), rebate["created_at"])]


def rebates_paid_between(start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
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
