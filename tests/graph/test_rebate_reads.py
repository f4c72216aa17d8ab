"""Reading an order's rebates while its computation's commit is still landing: the read
waits until it sees as many rebates as the computation stored (real Neo4j)."""

import threading

from graph import db
from graph.money.rebates import compute_rebates, rebates_of_orders
from tests.conftest import auth
from tests.factories import make_chain, make_order

MALL = auth("mall")


def test_a_computation_records_how_many_rebates_each_order_earned(client, ids):
    chain = [ids("a"), ids("b"), ids("c"), ids("buyer")]
    lone = ids("lone")
    events = [*make_chain(chain), *make_chain([lone]),
              make_order(ids("o"), chain[-1]), make_order(ids("none"), lone)]
    assert client.post("/v1/events", headers=MALL, json=events).json()["rejected"] == []
    compute_rebates([ids("o"), ids("none")])
    rows = {r["order_id"]: r for r in db.read_query("rebates.for_orders",
                                                    ids=[ids("o"), ids("none")])}
    assert rows[ids("o")]["expected"] == len(rows[ids("o")]["rebates"]) >= 1
    assert (rows[ids("none")]["expected"], rows[ids("none")]["rebates"]) == (0, [])
    assert "expected" not in rebates_of_orders([ids("o")])[ids("o")]


def test_a_read_waits_for_rebates_that_are_still_landing(client, ids):
    buyer, inviter = ids("buyer"), ids("inviter")
    events = [*make_chain([inviter, buyer]), make_order(ids("o"), buyer)]
    assert client.post("/v1/events", headers=MALL, json=events).json()["rejected"] == []
    compute_rebates([ids("o")])
    # as a reader sees a large commit half applied: the order says two, one is visible
    db.write_query("testing.order_rebate_count", id=ids("o"), count=2)
    landing = threading.Timer(0.05, lambda: db.write_query(
        "testing.late_rebate", id=ids("o"), rebate_id=ids("late"), tier=2,
        beneficiary=inviter))
    landing.start()
    try:
        seen = rebates_of_orders([ids("o")])[ids("o")]
    finally:
        landing.join()
    assert [r["rebate_id"] for r in seen["rebates"]][-1] == ids("late")
    assert len(seen["rebates"]) == 2
