"""How the ledger is stored: one LedgerTxn per movement with its legs, and the start-up
migration of ledgers written as a LedgerEntry node per leg. Against the real Neo4j."""

from datetime import UTC, datetime

import pytest

from graph import db, ledger


def test_a_movement_is_one_node_holding_both_legs(graph, ids):
    user = ids("u")
    txn = ledger.move(ids("t"), "accrue", "cash", datetime(2025, 1, 2, tzinfo=UTC), 700,
                      user_id=user, source=ledger.POOL, target="pending")
    assert db.write(lambda tx: ledger.book(tx, [txn], token=ids("k"))) == 1
    assert db.write(lambda tx: ledger.book(tx, [txn], token=ids("k2"))) == 0  # same id: skipped
    [row] = ledger.user_sums(user)
    assert row == {"kind": "cash", "bucket": "pending", "type": "accrue", "cents": 700}
    assert ledger.balances(user)["cash"]["pending"] == 700


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
