"""How the ledger is stored: one LedgerTxn per movement with its legs, a rebate's accrual
held on the rebate itself, and the start-up migration of ledgers written as a LedgerEntry
node per leg. Against the real Neo4j."""

from datetime import UTC, datetime

import pytest

from graph import db
from graph.ingest.batch import ingest_raw
from graph.money import ledger, rebates
from tests.factories import make_chain, make_order

# Paid after every as_of the tests settle at (and after today's beat run): no settlement
# moves these rebates while a test looks at their accruals.
PAID = "2027-06-02T10:00:00+08:00"


def test_a_movement_is_one_node_holding_both_legs(graph, ids):
    user = ids("u")
    txn = ledger.move(ids("t"), "accrue", "cash", datetime(2025, 1, 2, tzinfo=UTC), 700,
                      user_id=user, source=ledger.POOL, target="pending")
    assert db.write(lambda tx: ledger.book(tx, [txn], token=ids("k"))) == 1
    assert db.write(lambda tx: ledger.book(tx, [txn], token=ids("k2"))) == 0  # same id: skipped
    [row] = ledger.user_sums(user)
    assert row == {"kind": "cash", "bucket": "pending", "type": "accrue", "cents": 700}
    assert ledger.balances(user)["cash"]["pending"] == 700


def test_a_rebate_holds_its_accrual_and_the_ledger_counts_it(graph, ids):
    a, b, c, buyer, order = ids("a"), ids("b"), ids("c"), ids("d"), ids("o")
    ingest_raw(make_chain([a, b, c, buyer]) + [make_order(order, buyer, [("home", 10000)],
                                                      at=PAID)])
    before = ledger.check()
    assert rebates.compute_rebates([order]) == 1
    rows = db.read_query("testing.ledger_of_order", order_id=order)
    assert [(r["tier"], r["status"], r["buckets"], r["amounts"], r["txns"]) for r in rows] == [
        (1, "pending", ["pool", "pending"], [-1000, 1000], 0),
        (2, "pending", ["pool", "pending"], [-500, 500], 0),
        (3, "pending", ["pool", "pending"], [-200, 200], 0),
    ]
    assert ledger.user_sums(c) == [{"kind": "cash", "bucket": "pending", "type": "accrue",
                                    "cents": 1000}]
    assert ledger.balances(a)["cash"]["pending"] == 200
    after = ledger.check()
    assert (after["txns"] - before["txns"], after["entries"] - before["entries"]) == (3, 6)
    assert (after["total"], after["unbalanced"]) == (0, 0)


def test_an_accrual_that_does_not_balance_is_found_by_the_check(graph, ids):
    a, buyer, order = ids("a"), ids("b"), ids("o")
    ingest_raw(make_chain([a, buyer]) + [make_order(order, buyer, at=PAID)])
    assert rebates.compute_rebates([order]) == 1
    assert ledger.check()["unbalanced"] == 0
    db.write_query("testing.unbalance_accrual", order_id=order, cents=1)
    try:
        check = ledger.check()
        assert (check["unbalanced"], check["total"]) == (1, 1)
    finally:
        db.write_query("testing.unbalance_accrual", order_id=order, cents=-1)
    assert ledger.check()["unbalanced"] == 0


def test_a_movement_of_two_users_money_is_refused(graph, ids):
    legs = (ledger.Leg("available", -5, ids("a")), ledger.Leg("available", 5, ids("b")))
    txn = ledger.Txn(id=ids("t"), type="adjust", kind="cash",
                     at=datetime(2025, 1, 2, tzinfo=UTC), legs=legs)
    with pytest.raises(ValueError, match="several users"):
        db.write(lambda tx: ledger.book(tx, [txn], token=ids("k")))
    assert ledger.user_sums(ids("a")) == []


def test_a_ledger_written_a_node_per_leg_is_migrated_at_start_up(graph, ids):
    user = ids("u")
    db.write_query("testing.plant_legacy_ledger", prefix=ids(""), user_id=user, cents=1234,
                   at="2025-01-02T00:00:00Z")
    assert ledger.user_sums(user) == []  # legs not on the txns yet
    moved = db.migrate()
    assert moved["ledger.migrate_legs"] >= 2
    sums = {(r["bucket"], r["type"]): r["cents"]
            for r in ledger.user_sums(user)}
    assert sums == {("pending", "accrue"): 1234, ("pending", "confirm"): -1234,
                    ("confirmed", "confirm"): 1234}
    check = ledger.check()
    assert check["total"] == 0 and check["unbalanced"] == 0
    assert db.migrate() == {"ledger.migrate_legs": 0}  # nothing left: a second start is a no-op
    assert db.read_query("testing.legacy_ledger_entries") == [{"entries": 0}]
