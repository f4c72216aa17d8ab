"""Redis (the sandbox gateway's store) stopped around a withdrawal, on the local stack: the
answer is a 503 with Retry-After, nothing is reserved twice, and a retry of the same
withdrawal_id, once Redis is back, pays it exactly once."""

import time
from collections.abc import Iterator

import pytest

from graph import redis_clients
from graph.money import ledger, withdrawals
from graph.money.gateway import SandboxGateway
from graph.settings import get_settings
from infra import stack
from tests.api.test_withdrawals import ADMIN, ADMIN_2, MALL, audited, cash, credited_user, withdraw
from tests.conftest import NOT_LOCAL

pytestmark = pytest.mark.skipif(NOT_LOCAL, reason="stops and starts the local stack's Redis")


@pytest.fixture
def redis_stopper(services: None) -> Iterator[object]:
    """stop() stops the stack's Redis; it is started again at the latest when the test ends."""
    settings = get_settings()
    paths = stack.Paths(settings.data_dir)

    def start() -> None:
        stack.up(settings, ("redis",), say=lambda _: None)
        deadline = time.monotonic() + 60
        while not redis_clients.answers(redis_clients.app()):
            assert time.monotonic() < deadline, "Redis did not come back"
            time.sleep(0.2)

    class Stopper:
        def stop(self) -> None:
            assert stack.stop_service(paths, "redis")
            assert not redis_clients.answers(redis_clients.app())

        def start(self) -> None:
            start()

    yield Stopper()
    start()


def assert_unavailable(answer) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert int(answer.headers["retry-after"]) > 0
    assert answer.json()["reason"] == "gateway_unavailable"


def assert_ledger_whole() -> None:
    check = ledger.check()
    assert (check["total"], check["unbalanced"], check["negative_buckets"]) == (0, 0, 0)


def test_redis_down_before_a_withdrawal_reserves_nothing(client, ids, redis_stopper):
    user = credited_user(client, ids, 10_000)
    redis_stopper.stop()
    assert_unavailable(withdraw(client, ids("w"), user, 4_000))
    assert cash(client, user)["withdrawing"] == 0
    assert client.get(f"/v1/withdrawals/{ids('w')}", headers=MALL).status_code == 404
    redis_stopper.start()
    again = withdraw(client, ids("w"), user, 4_000)
    assert again.status_code == 201 and again.json()["status"] == "completed"
    assert SandboxGateway().transfers()[ids("w")]["amount_cents"] == 4_000
    assert_ledger_whole()


def test_redis_down_mid_withdrawal_reserves_once_and_a_retry_pays_once(client, ids,
                                                                       redis_stopper):
    user = credited_user(client, ids, 10_000)
    gateway = SandboxGateway()
    gateway.set_behaviour("timeout_before", user)  # the transfer's fate unknown: in flight
    first = withdraw(client, ids("w"), user, 4_000)
    assert (first.status_code, first.json()["status"]) == (201, "processing")
    redis_stopper.stop()
    for _ in range(3):  # the mall retries while Redis is down
        assert_unavailable(withdraw(client, ids("w"), user, 4_000))
    assert withdrawals.reconcile(older_than_seconds=0) == {"completed": 0, "failed": 0,
                                                           "resent": 0}
    found = withdrawals.get(ids("w"))
    assert (found["status"], found["gateway_state"]) == ("processing", "unavailable")
    balance = cash(client, user)
    assert (balance["available"], balance["withdrawing"]) == (6_000, 4_000)  # reserved once
    redis_stopper.start()
    gateway.set_behaviour("ok", user)
    done = withdraw(client, ids("w"), user, 4_000)
    assert done.status_code == 200 and done.json()["status"] == "completed"
    assert list(gateway.transfers()).count(ids("w")) == 1
    balance = cash(client, user)
    assert (balance["available"], balance["withdrawing"], balance["withdrawn"]) == (
        6_000, 0, 4_000)
    assert [a for a, _ in audited(ids("w"))] == ["withdrawal.request", "withdrawal.complete"]
    assert_ledger_whole()


def test_redis_down_at_the_second_approval_changes_nothing(client, ids, redis_stopper):
    user = credited_user(client, ids, 150_000)
    assert withdraw(client, ids("w"), user, 100_000).json()["status"] == "pending_review"
    path = f"/v1/withdrawals/{ids('w')}/approve"
    assert client.post(path, headers=ADMIN).status_code == 200
    redis_stopper.stop()
    assert_unavailable(client.post(path, headers=ADMIN_2))
    found = withdrawals.get(ids("w"))
    assert (found["status"], len(found["approvals"])) == ("pending_review", 1)
    # a review needs no gateway: it is still asked for, and cancelled, while Redis is down
    assert withdraw(client, ids("w2"), user, 1_000).json()["status"] == "pending_review"
    cancelled = client.post(f"/v1/withdrawals/{ids('w2')}/cancel", headers=MALL)
    assert cancelled.json()["status"] == "cancelled"
    redis_stopper.start()
    done = client.post(path, headers=ADMIN_2)
    assert done.status_code == 200 and done.json()["status"] == "completed"
    balance = cash(client, user)
    assert (balance["available"], balance["withdrawing"], balance["withdrawn"]) == (
        50_000, 0, 100_000)
    assert_ledger_whole()
