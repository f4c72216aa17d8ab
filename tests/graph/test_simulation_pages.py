"""The what-if reads past orders a page at a time: orders paid at one instant that straddle a
page boundary are all replayed (real Neo4j: a stored time comes back with another zone form
than it was written with, so the keyset compares instants)."""

from datetime import UTC, datetime

from graph.ingest.batch import ingest_raw
from graph.rules import simulation
from graph.rules.maths import Rule
from tests.factories import make_chain, make_order


def test_orders_paid_at_one_instant_across_pages_are_all_replayed(clean_graph, ids, monkeypatch):
    chain = [ids(f"c{n}") for n in range(2)]
    orders = [make_order(ids(f"o{n}"), chain[1], [("home", 10000)],
                         at="2026-03-02T10:00:00+08:00") for n in range(5)]
    assert not ingest_raw(make_chain(chain) + orders).rejected
    monkeypatch.setattr(simulation, "PAGE", 2)
    draft = Rule(id="draft", tiers=(1000,), created_at=datetime(2026, 1, 1, tzinfo=UTC))
    result = simulation.simulate(draft, datetime(2026, 3, 1, tzinfo=UTC),
                                 datetime(2026, 3, 3, tzinfo=UTC))
    assert result["orders"] == 5
