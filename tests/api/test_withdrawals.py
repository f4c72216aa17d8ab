"""Withdrawals through the real stack and the sandbox gateway: refusals change nothing,
two admins once the day's total reaches the threshold, failures, timeouts and concurrent
retries lose and duplicate nothing, and every movement is audited."""

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from graph.audit import trail
from graph.money import ledger, withdrawals
from graph.money.gateway import SandboxGateway
from graph.settings import get_settings
from tests.conftest import auth
from tests.factories import make_chain, make_order

MALL, ADMIN = auth("mall"), auth("admin")
ADMIN_2 = {"Authorization": "Bearer test-admin-2"}


def funded_user(client, ids, yuan: int) -> str:
    """A user whose available cash is 10% of a completed, settled order of `yuan` yuan."""
    a, buyer = ids("a"), ids("buyer")
    events = make_chain([a, buyer]) + [
        make_order(ids("o"), buyer, [("home", yuan * 100)], at="2025-06-02T10:00:00+08:00"),
        {"type": "order_completed", "order_id": ids("o"), "at": "2025-06-03T10:00:00+08:00"}]
    assert client.post("/v1/events", headers=MALL, json=events).json()["accepted"] == 4
    client.post(f"/v1/orders/{ids('o')}/payouts", headers=MALL)
    client.post("/v1/settlement/run", headers=ADMIN, json={"as_of": "2025-06-10T00:00:00Z"})
    assert cash(client, a)["available"] == yuan * 10
    return a


def credited_user(client, ids, cents: int, name: str = "u") -> str:
    """A new user whose available cash is `cents`, credited by an admin's adjustment."""
    user = ids(name)
    assert client.post("/v1/users", headers=MALL, json={
        "user_id": user, "at": "2026-03-01T10:00:00+08:00"}).status_code == 201
    answer = client.post(f"/v1/users/{user}/adjustments", headers=ADMIN, json={
        "adjustment_id": ids(f"{name}-credit"), "amount_cents": cents,
        "reason": "goodwill credit"})
    assert answer.status_code == 201, answer.text
    return user


def audited(withdrawal_id: str) -> list[tuple[str, Any]]:
    """(action, after) of the audit entries about one withdrawal, oldest first."""
    entries, after = [], 0
    while page := trail.page(after, 5000):
        entries += [(e["action"], e["after"]) for e in page
                    if e["target"] == f"withdrawal:{withdrawal_id}"]
        after = page[-1]["seq"]
    return entries


def cash(client, user_id):
    return client.get(f"/v1/users/{user_id}/balance", headers=MALL).json()["cash"]


def withdraw(client, withdrawal_id, user_id, cents):
    return client.post("/v1/withdrawals", headers=MALL, json={
        "withdrawal_id": withdrawal_id, "user_id": user_id, "amount_cents": cents})


@pytest.mark.parametrize(("cents", "reason"),
                         [(99, "below_minimum"), (10_001, "insufficient_balance")])
def test_refusals_are_explicit_and_change_nothing(client, ids, cents, reason):
    user = funded_user(client, ids, 1000)  # 10,000 cents available
    before = cash(client, user)
    answer = withdraw(client, ids("w"), user, cents)
    assert answer.status_code == 422 and answer.json()["reason"] == reason
    assert answer.headers["content-type"] == "application/problem+json"
    assert cash(client, user) == before
    assert client.get(f"/v1/withdrawals/{ids('w')}", headers=MALL).status_code == 404


def test_small_withdrawal_completes_once_and_replays(client, ids):
    user = funded_user(client, ids, 1000)
    first = withdraw(client, ids("w"), user, 4000)
    assert first.status_code == 201 and first.json()["status"] == "completed"
    assert withdraw(client, ids("w"), user, 4000).status_code == 200
    assert withdraw(client, ids("w"), user, 4001).status_code == 409
    balance = cash(client, user)
    assert (balance["available"], balance["withdrawn"], balance["withdrawing"]) == (6000, 4000, 0)
    assert SandboxGateway().transfers()[ids("w")]["amount_cents"] == 4000


def test_daily_limit(client, ids, monkeypatch):
    user = funded_user(client, ids, 1000)
    monkeypatch.setenv("TIERGRAPH_WITHDRAW_DAILY_LIMIT_CENTS", "5000")
    get_settings.cache_clear()
    try:
        assert withdraw(client, ids("w1"), user, 3000).json()["status"] == "completed"
        second = withdraw(client, ids("w2"), user, 3000)
        assert second.status_code == 422 and second.json()["reason"] == "daily_limit"
        assert cash(client, user)["available"] == 7000
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_large_withdrawal_needs_two_different_admins(client, ids):
    user = funded_user(client, ids, 20_000)  # 200,000 cents; review at 100,000
    below = withdraw(client, ids("small"), user, 99_999)  # just under the threshold
    assert below.status_code == 201 and below.json()["status"] == "completed"
    answer = withdraw(client, ids("w"), user, 100_000)  # at the threshold: reviewed
    assert answer.status_code == 201 and answer.json()["status"] == "pending_review"
    assert cash(client, user)["withdrawing"] == 100_000  # reserved while under review
    path = f"/v1/withdrawals/{ids('w')}/approve"
    assert client.post(path, headers=MALL).status_code == 403
    assert client.post(path, headers=ADMIN).json()["status"] == "pending_review"
    assert client.post(path, headers=ADMIN).status_code == 409  # the same admin twice
    seen = {role: client.get(f"/v1/withdrawals/{ids('w')}", headers=headers).json()["approvals"]
            for role, headers in (("mall", MALL), ("admin", ADMIN))}
    assert len(seen["mall"]) == 1 and seen["mall"] != seen["admin"]  # no key fingerprint
    done = client.post(path, headers=ADMIN_2)
    assert done.status_code == 200 and done.json()["status"] == "completed"
    assert len(done.json()["approvals"]) == 2
    balance = cash(client, user)
    assert (balance["available"], balance["withdrawn"], balance["withdrawing"]) == (1, 199_999, 0)
    entries = trail.page(0, 100_000)
    approvals = [e for e in entries if e["action"] == "withdrawal.approve"
                 and e["target"].endswith(ids("w"))]
    assert len(approvals) == 2 and len({e["actor"] for e in approvals}) == 2


def test_gateway_failure_gives_the_money_back(client, ids):
    user = funded_user(client, ids, 1000)
    SandboxGateway().set_behaviour("fail", user)
    answer = withdraw(client, ids("w"), user, 4000)
    assert answer.json()["status"] == "failed" and answer.json()["reason"] == "gateway_failed"
    assert cash(client, user)["available"] == 10_000


@pytest.mark.parametrize("behaviour", ["timeout_after", "timeout_before"])
def test_a_timed_out_transfer_is_reconciled_not_paid_twice(client, ids, behaviour):
    user = funded_user(client, ids, 1000)
    gateway = SandboxGateway()
    gateway.set_behaviour(behaviour, user)
    answer = withdraw(client, ids("w"), user, 4000)
    assert (answer.json()["status"], answer.json()["gateway_state"]) == ("processing", "timeout")
    assert cash(client, user)["withdrawing"] == 4000
    gateway.set_behaviour("ok", user)
    withdrawals.reconcile(older_than_seconds=0)
    withdrawals.reconcile(older_than_seconds=0)  # twice: still one payment
    assert withdrawals.get(ids("w"))["status"] == "completed"
    assert list(gateway.transfers()).count(ids("w")) == 1
    balance = cash(client, user)
    assert (balance["available"], balance["withdrawn"], balance["withdrawing"]) == (6000, 4000, 0)
    check = ledger.check()
    assert (check["total"], check["unbalanced"], check["negative_buckets"]) == (0, 0, 0)


def test_a_refund_after_withdrawal_leaves_a_debt_that_later_rebates_pay_first(client, ids):
    """Credited 10,000, all withdrawn, then the order is refunded in full: the clawback is
    booked as an adjustment and the balance owes 10,000. A later rebate of 3,000 pays the
    debt down (available -7,000) and nothing can be withdrawn until it is paid."""
    user = funded_user(client, ids, 1000)
    assert withdraw(client, ids("w"), user, 10_000).json()["status"] == "completed"
    refund = {"type": "order_refunded", "order_id": ids("o"), "refund_id": ids("r"),
              "amount_cents": 100_000, "at": "2025-06-20T10:00:00+08:00"}
    assert client.post("/v1/events", headers=MALL, json=[refund]).json()["accepted"] == 1
    balance = cash(client, user)
    assert (balance["available"], balance["credited"],
            balance["withdrawn"]) == (-10_000, 10_000, 10_000)
    [rebate] = client.get(f"/v1/users/{user}/rebates", headers=MALL).json()["rebates"]
    assert (rebate["amount_cents"], rebate["status"],
            rebate["reason"]) == (0, "credited", "order_refunded")
    owed = withdraw(client, ids("w2"), user, 100)
    assert owed.status_code == 422 and owed.json()["reason"] == "insufficient_balance"

    buyer2 = ids("buyer2")
    events = [{"type": "user_registered", "user_id": buyer2, "invited_by": user,
               "at": "2025-06-21T10:00:00+08:00"},
              make_order(ids("o2"), buyer2, [("home", 30_000)], at="2025-06-22T10:00:00+08:00"),
              {"type": "order_completed", "order_id": ids("o2"), "at": "2025-06-23T10:00:00+08:00"}]
    assert client.post("/v1/events", headers=MALL, json=events).json()["accepted"] == 3
    client.post(f"/v1/orders/{ids('o2')}/payouts", headers=MALL)
    client.post("/v1/settlement/run", headers=ADMIN, json={"as_of": "2025-07-01T00:00:00Z"})
    balance = cash(client, user)
    assert (balance["available"], balance["credited"]) == (-7_000, 13_000)
    check = ledger.check()
    assert (check["total"], check["unbalanced"]) == (0, 0)


def test_the_review_threshold_is_on_the_total_of_the_day(client, ids):
    """Review at 100,000 cents: 60,000 goes out, the next 40,000 brings the day to 100,000
    and waits for review, and so does a cent more after it."""
    user = credited_user(client, ids, 150_000)
    assert withdraw(client, ids("w1"), user, 60_000).json()["status"] == "completed"
    second = withdraw(client, ids("w2"), user, 40_000)
    assert second.status_code == 201 and second.json()["status"] == "pending_review"
    assert withdraw(client, ids("w3"), user, 100).json()["status"] == "pending_review"
    balance = cash(client, user)
    assert (balance["available"], balance["withdrawing"], balance["withdrawn"]) == (
        49_900, 40_100, 60_000)
    assert [a for a, _ in audited(ids("w2"))] == ["withdrawal.request"]
    assert audited(ids("w2"))[0][1]["day_total_cents"] == 100_000


def test_a_rejected_or_cancelled_withdrawal_leaves_the_day_total(client, ids):
    user = credited_user(client, ids, 150_000)
    assert withdraw(client, ids("w1"), user, 100_000).json()["status"] == "pending_review"
    assert client.post(f"/v1/withdrawals/{ids('w1')}/cancel", headers=MALL).status_code == 200
    assert withdraw(client, ids("w2"), user, 99_000).json()["status"] == "completed"


def test_twenty_concurrent_identical_withdrawals_pay_once(client, ids):
    user = credited_user(client, ids, 10_000)
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda _: withdraw(client, ids("w"), user, 4_000), range(20)))
    assert sorted(a.status_code for a in answers) == [200] * 19 + [201]
    assert {a.json()["status"] for a in answers} == {"completed"}
    assert SandboxGateway().transfers()[ids("w")]["amount_cents"] == 4_000
    balance = cash(client, user)
    assert (balance["available"], balance["withdrawing"], balance["withdrawn"]) == (
        6_000, 0, 4_000)
    assert [a for a, _ in audited(ids("w"))] == ["withdrawal.request", "withdrawal.complete"]
    check = ledger.check()
    assert (check["total"], check["unbalanced"], check["negative_buckets"]) == (0, 0, 0)


def test_twenty_concurrent_withdrawals_never_overdraw(client, ids):
    user = credited_user(client, ids, 10_000)
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda n: withdraw(client, ids(f"w{n}"), user, 1_000), range(20)))
    assert sorted(a.status_code for a in answers) == [201] * 10 + [422] * 10
    assert {a.json()["reason"] for a in answers if a.status_code == 422} == {
        "insufficient_balance"}
    balance = cash(client, user)
    assert (balance["available"], balance["withdrawing"], balance["withdrawn"]) == (0, 0, 10_000)


def test_one_withdrawal_id_asked_at_once_for_ten_users_is_stored_once(client, ids):
    users = [credited_user(client, ids, 10_000, f"u{n}") for n in range(10)]
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lambda u: withdraw(client, ids("w"), u, 1_000), users))
    assert sorted(a.status_code for a in answers) == [201] + [409] * 9
    owner = withdrawals.get(ids("w"))["user_id"]
    assert [cash(client, u)["withdrawn"] for u in users].count(1_000) == 1
    assert cash(client, owner)["withdrawn"] == 1_000


def test_completion_failure_and_reconciliation_are_audited(client, ids):
    user = credited_user(client, ids, 10_000)
    gateway = SandboxGateway()
    assert withdraw(client, ids("ok"), user, 1_000).json()["status"] == "completed"
    gateway.set_behaviour("fail", user)
    assert withdraw(client, ids("bad"), user, 1_000).json()["status"] == "failed"
    gateway.set_behaviour("timeout_after", user)
    assert withdraw(client, ids("late"), user, 1_000).json()["status"] == "processing"
    gateway.set_behaviour("ok", user)
    withdrawals.reconcile(older_than_seconds=0)
    assert [a for a, _ in audited(ids("ok"))] == ["withdrawal.request", "withdrawal.complete"]
    assert [a for a, _ in audited(ids("bad"))] == ["withdrawal.request", "withdrawal.fail"]
    late = audited(ids("late"))
    assert [a for a, _ in late] == ["withdrawal.request", "withdrawal.reconcile"]
    assert late[-1][1]["status"] == "completed"
    assert cash(client, user)["available"] == 8_000


def test_a_replay_sends_again_what_a_timeout_left_processing(client, ids):
    user = credited_user(client, ids, 10_000)
    gateway = SandboxGateway()
    gateway.set_behaviour("timeout_before", user)
    first = withdraw(client, ids("w"), user, 4_000)
    assert (first.json()["status"], first.json()["gateway_state"]) == ("processing", "timeout")
    gateway.set_behaviour("ok", user)
    again = withdraw(client, ids("w"), user, 4_000)
    assert again.status_code == 200 and again.json()["status"] == "completed"
    assert list(gateway.transfers()).count(ids("w")) == 1
    assert cash(client, user)["withdrawn"] == 4_000
