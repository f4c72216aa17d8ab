"""Rebates through the real Celery worker, and the API racing it on the same orders."""

import time
from concurrent.futures import ThreadPoolExecutor

from graph import db
from graph.ingest.batch import ingest_raw
from tests.conftest import auth
from tests.factories import make_chain, make_order
from workers.app import app as celery_app

MALL = auth("mall")


def wait_for(check, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"not true within {timeout}s")


def test_order_paid_event_is_computed_by_the_worker(client, ids):
    chain = [ids(f"c{n}") for n in range(4)]
    answer = client.post("/v1/events", headers=MALL,
                         json=make_chain(chain)
                         + [make_order(ids("o"), chain[3], [("home", 20000)])])
    assert answer.json()["accepted"] == 5

    def computed():
        body = client.get(f"/v1/orders/{ids('o')}/rebates", headers=MALL).json()
        return body if body["computed"] else None

    body = wait_for(computed)  # nobody asked for payouts: the worker did it
    tiers = {(r["tier"], r["amount_cents"]) for r in body["rebates"]}
    assert tiers == {(1, 2000), (2, 1000), (3, 400)}
    assert {r["status"] for r in body["rebates"]} == {"pending"}


def test_api_and_worker_racing_produce_one_set_of_rebates(client, ids):
    chain = [ids(f"c{n}") for n in range(5)]
    orders = [ids(f"o{n}") for n in range(40)]
    events = make_chain(chain) + [make_order(o, chain[4], [("beauty", 10000 + n)])
                                  for n, o in enumerate(orders)]
    # Stored without enqueueing, so the race below is the first computation of each order.
    assert ingest_raw(events).accepted == len(events)
    tasks = [celery_app.send_task("rebates.compute", args=[orders[n::4]]) for n in range(4)]
    tasks += [celery_app.send_task("rebates.compute", args=[list(reversed(orders))])]

    def ask(order_id):
        return client.post(f"/v1/orders/{order_id}/payouts", headers=MALL).json()

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(ask, orders + orders))
    for task in tasks:
        task.get(timeout=120)
    rows = db.read_query("testing.order_runs", ids=orders)
    assert len(rows) == len(orders)
    for row in rows:
        assert (row["runs"], row["rebates"], row["distinct_rebates"]) == (1, 3, 3), row
    for answer in answers:
        assert [r["tier"] for r in answer["rebates"]] == [1, 2, 3]
    first = {a["order_id"]: a["rebates"] for a in answers[: len(orders)]}
    second = {a["order_id"]: a["rebates"] for a in answers[len(orders):]}
    assert first == second
