"""The whole-ledger check (`GET /v1/ledger/check`, `tiergraph ledger check`): invariants, the
pool's balance, what was paid out, what users are owed by bucket and what they owe."""

import json
import os
import subprocess
import sys

from graph import db
from tests.conftest import auth
from tests.factories import make_chain, make_order

MALL, ADMIN = auth("mall"), auth("admin")
PAID = "2025-07-01T10:00:00+08:00"


def completed(order_id):  # a completed order's rebates are confirmed at once
    return {"type": "order_completed", "order_id": order_id, "at": "2025-07-02T10:00:00+08:00"}


def check(client):
    answer = client.get("/v1/ledger/check", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    return answer.json()


def tiergraph_ledger_check():
    return subprocess.run([sys.executable, "-m", "cli.main", "ledger", "check", "--json"],
                          capture_output=True, text=True, timeout=300, env=dict(os.environ))


def test_the_check_accounts_for_every_cent(client, clean_graph, ids):
    a, b, buyer = ids("a"), ids("b"), ids("buyer")
    assert client.post("/v1/events", headers=MALL, json=make_chain([a, b, buyer]) + [
        make_order(ids("o1"), buyer, [("home", 10000)], at=PAID),
        make_order(ids("o2"), buyer, [("home", 20000)], at=PAID),
        completed(ids("o1")), completed(ids("o2")),
    ]).json()["accepted"] == 7
    for order in ("o1", "o2"):  # b earns 10% (1000 + 2000), a 5% (500 + 1000)
        assert client.post(f"/v1/orders/{ids(order)}/payouts", headers=MALL).status_code == 200
    settled = client.post("/v1/settlement/run", headers=ADMIN,
                          json={"as_of": "2025-08-01T00:00:00Z"})
    assert settled.status_code == 200 and settled.json()["credited"] == 4
    assert client.post("/v1/withdrawals", headers=MALL, json={
        "withdrawal_id": ids("w"), "user_id": b, "amount_cents": 2500}).json()["status"] == \
        "completed"
    # o2 refunded in full after b withdrew most of what it paid: b owes 2000 - 500 = 1500
    assert client.post("/v1/events", headers=MALL, json=[{
        "type": "order_refunded", "order_id": ids("o2"), "refund_id": ids("r"),
        "amount_cents": 20000, "at": "2025-08-02T10:00:00+08:00"}]).json()["accepted"] == 1

    report = check(client)
    assert (report["ok"], report["problems"]) == (True, []), report
    assert report["ledger"]["unbalanced"] == 0 and report["ledger"]["total"] == 0
    cash = report["kinds"]["cash"]
    # paid out of the pool: 4500 accrued, 3000 of it (o2's) taken back by the refund
    assert (cash["pool_cents"], cash["gateway_cents"]) == (-1500, 2500)
    assert cash["liabilities"]["available"] == 500  # a's, after its 1000 from o2 went back
    assert cash["liabilities_total"] == 500
    assert cash["debts"] == {"available": {"cents": 1500, "users": 1}}
    assert cash["debt_total"] == 1500 and cash["balanced"]
    assert report["kinds"]["points"]["balanced"]
    assert client.get("/v1/ledger/check", headers=auth("compliance")).status_code == 403

    shell = tiergraph_ledger_check()
    assert shell.returncode == 0, shell.stderr
    assert json.loads(shell.stdout)["kinds"]["cash"] == cash


def test_an_unbalanced_movement_fails_the_check(client, clean_graph, ids):
    a, buyer = ids("a"), ids("buyer")
    client.post("/v1/events", headers=MALL, json=make_chain([a, buyer]) + [
        make_order(ids("o"), buyer, [("home", 10000)], at=PAID)])
    client.post(f"/v1/orders/{ids('o')}/payouts", headers=MALL)
    assert check(client)["ok"]
    db.write_query("testing.unbalance_accrual", order_id=ids("o"), cents=1)
    try:
        report = check(client)
        assert not report["ok"] and report["ledger"]["unbalanced"] == 1
        assert "1 movements do not balance" in report["problems"]
        assert not report["kinds"]["cash"]["balanced"]
        shell = tiergraph_ledger_check()
        assert shell.returncode == 1 and not json.loads(shell.stdout)["ok"]
    finally:
        db.write_query("testing.unbalance_accrual", order_id=ids("o"), cents=-1)
    assert check(client)["ok"]
