"""The http suite's money routes (lab/bench/http.py): computed orders for
`POST /v1/orders/{id}/payouts` on both sides, the same rebates in both stores, and the wrk
arguments of the payouts and `POST /v1/events` runs."""

import random
from collections.abc import Callable, Iterator
from datetime import datetime
from itertools import count
from pathlib import Path
from typing import Any

import httpx

from graph.money.rebates import compute_rebates, rebates_of_orders
from graph.rules.book import ensure_default_rule
from lab.bench import postgres, wrk

COMPUTE_CHUNK = 500  # orders per compute_rebates call, as the worker's tasks take them
READ_CHUNK = 2000  # orders per read of their rebates, to copy them into PostgreSQL
EVENTS_PER_CALL = 100
ORDER_EVERY = 5  # one event in five of a batch a paid order, the others sessions


def compute(order_ids: list[str], progress: Callable[..., Any]) -> None:
    """Compute the rebates of every order with the function the worker calls, under the
    default rule, before anything is timed."""
    ensure_default_rule()
    with progress("compute rebates", len(order_ids)) as advance:
        for start in range(0, len(order_ids), COMPUTE_CHUNK):
            compute_rebates(order_ids[start:start + COMPUTE_CHUNK])
            advance(min(start + COMPUTE_CHUNK, len(order_ids)))


def order_rows(events: list[dict[str, Any]]) -> list[tuple[str, str, int, datetime]]:
    """The orders of generated `order_paid` events as the peer's `orders` rows: id, buyer,
    amount and time."""
    return [(e["order_id"], e["user_id"], e["amount_cents"], datetime.fromisoformat(e["at"]))
            for e in events if e["type"] == "order_paid"]


def rebate_rows(order_ids: list[str]) -> Iterator[tuple[Any, ...]]:
    """Every rebate tiergraph stored for the orders, as the peer's `rebates` rows."""
    for start in range(0, len(order_ids), READ_CHUNK):
        found = rebates_of_orders(order_ids[start:start + READ_CHUNK])
        for order_id, order in found.items():
            if not order["computed"]:
                raise RuntimeError(f"order {order_id} has no rebates computed yet")
            for r in order["rebates"]:
                yield (order_id, *(r[c] for c in postgres.REBATE_COLUMNS[1:]))


def copy_to_postgres(dsn: str, orders: list[tuple[str, str, int, datetime]]) -> int:
    """The orders and the rebates tiergraph computed for them, into the peer's tables;
    the rebates copied."""
    postgres.create_money_tables(dsn)
    rebates = list(rebate_rows([o[0] for o in orders]))
    postgres.load_orders(dsn, orders, rebates)
    return len(rebates)


def same_payouts(urls: list[str], order_ids: list[str], key: str) -> int:
    """POST the payouts of each order to every base URL; raise unless every side answered
    200 and the same bytes. Returns the answers compared."""
    with httpx.Client(headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
        for order_id in order_ids:
            answers = {url: client.post(f"{url}/v1/orders/{order_id}/payouts") for url in urls}
            contents = {(a.status_code, a.content) for a in answers.values()}
            if len(contents) != 1 or next(iter(contents))[0] != 200:
                raise AssertionError(f"the sides differ on the payouts of {order_id}: "
                                     f"{ {u: a.content for u, a in answers.items()} }")
    return len(order_ids)


def sample(ids: list[str], size: int, seed: int, path: Path) -> Path:
    """`size` ids drawn from `ids` (seeded), one a line in `path` for wrk's scripts."""
    rng = random.Random(seed)
    path.write_text("\n".join(rng.sample(ids, min(size, len(ids)))) + "\n")
    return path


def ids_args(ids_file: Path, key: str, template: str, method: str) -> Callable[[], list[str]]:
    """wrk.ids_script's arguments: calls of `template` for random ids of `ids_file`."""
    return lambda: [str(ids_file), key, template, method]


def events_args(users_file: Path, key: str) -> Callable[[], list[str]]:
    """wrk.events_script's arguments, each call a new run tag: no run replays another's
    events (the tag is in their order ids and times, lab/bench/wrk.py)."""
    tags = count(1)
    return lambda: [str(users_file), key, str(EVENTS_PER_CALL), str(ORDER_EVERY),
                    str(next(tags))]


SCRIPTS = {"upline": wrk.ids_script, "payouts": wrk.ids_script, "events": wrk.events_script}
