"""The way out of a review, against the real stack: an admin rejects, the mall cancels, or
the review expires, and the reserved money returns to available through the ledger, audited;
the review queue and a user's list page through with stable keyset cursors."""

from datetime import UTC, datetime, timedelta

import pytest

from graph.money import ledger, withdrawals
from tests.api.test_withdrawals import ADMIN, MALL, audited, cash, credited_user, withdraw
from workers.tasks.withdrawals import expire


def reviewed(client, ids, name: str = "w", cents: int = 100_000) -> tuple[str, str]:
    """A user with 150,000 cents and a withdrawal of `cents` waiting for review."""
    user = credited_user(client, ids, 150_000, f"{name}-user")
    answer = withdraw(client, ids(name), user, cents)
    assert answer.json()["status"] == "pending_review", answer.text
    return user, ids(name)


def assert_released(client, user: str, withdrawal_id: str, status: str) -> None:
    found = client.get(f"/v1/withdrawals/{withdrawal_id}", headers=MALL).json()
    assert found["status"] == status
    balance = cash(client, user)
    assert (balance["available"], balance["withdrawing"], balance["withdrawn"]) == (150_000, 0, 0)
    check = ledger.check()
    assert (check["total"], check["unbalanced"], check["negative_buckets"]) == (0, 0, 0)


def test_an_admin_rejects_with_a_note_and_the_money_returns(client, ids):
    user, w = reviewed(client, ids)
    assert cash(client, user)["withdrawing"] == 100_000
    path = f"/v1/withdrawals/{w}/reject"
    assert client.post(path, headers=MALL, json={"note": "no"}).status_code == 403
    answer = client.post(path, headers=ADMIN, json={"note": "account under KYC review"})
    assert answer.status_code == 200, answer.text
    assert (answer.json()["status"], answer.json()["reason"],
            answer.json()["note"]) == ("rejected", "review_rejected", "account under KYC review")
    assert_released(client, user, w, "rejected")
    assert [a for a, _ in audited(w)] == ["withdrawal.request", "withdrawal.reject"]
    assert audited(w)[-1][1]["note"] == "account under KYC review"
    # decided once: a second rejection, an approval or a cancel is a conflict, changing nothing
    for verb, role in (("reject", ADMIN), ("approve", ADMIN), ("cancel", MALL)):
        again = client.post(f"/v1/withdrawals/{w}/{verb}", headers=role, json={})
        assert again.status_code == 409 and again.json()["reason"] == "not_pending_review"
    assert_released(client, user, w, "rejected")


def test_the_mall_cancels_while_under_review_only(client, ids):
    user, w = reviewed(client, ids)
    answer = client.post(f"/v1/withdrawals/{w}/cancel", headers=MALL)
    assert answer.status_code == 200 and answer.json()["status"] == "cancelled"
    assert_released(client, user, w, "cancelled")
    assert [a for a, _ in audited(w)] == ["withdrawal.request", "withdrawal.cancel"]
    done = withdraw(client, ids("small"), user, 1_000)
    assert done.json()["status"] == "completed"
    late = client.post(f"/v1/withdrawals/{ids('small')}/cancel", headers=MALL)
    assert late.status_code == 409 and cash(client, user)["withdrawn"] == 1_000
    unknown = client.post(f"/v1/withdrawals/{ids('nothing')}/cancel", headers=MALL)
    assert unknown.status_code == 404


def test_bad_rejection_bodies_are_422_and_change_nothing(client, ids):
    user, w = reviewed(client, ids)
    for body in ({"note": 7}, {"note": "x" * 1001}, {"why": "no"}, []):
        answer = client.post(f"/v1/withdrawals/{w}/reject", headers=ADMIN, json=body)
        assert answer.status_code == 422 and answer.headers["content-type"] == (
            "application/problem+json")
    assert cash(client, user)["withdrawing"] == 100_000
    assert client.post(f"/v1/withdrawals/{w}/reject", headers=ADMIN).json()["status"] == (
        "rejected")  # the note is optional


def test_a_review_nobody_decides_expires_and_the_money_returns(client, ids):
    user, w = reviewed(client, ids)
    approved_once = reviewed(client, ids, "w2")
    assert client.post(f"/v1/withdrawals/{approved_once[1]}/approve",
                       headers=ADMIN).status_code == 200
    withdrawals.expire_reviews(datetime.now(UTC) + timedelta(days=6))  # within the 7 days
    assert withdrawals.get(w)["status"] == "pending_review"
    later = (datetime.now(UTC) + timedelta(days=7, minutes=1)).isoformat()
    assert expire.delay(as_of=later).get(timeout=60) >= 2  # through the worker
    assert_released(client, user, w, "expired")
    assert_released(client, *approved_once, "expired")
    assert withdrawals.get(w)["reason"] == "review_expired"
    assert [a for a, _ in audited(w)] == ["withdrawal.request", "withdrawal.expire"]
    assert expire.delay(as_of=later).get(timeout=60) == 0  # nothing twice
    assert_released(client, user, w, "expired")


def page_through(client, path: str, role, limit: int, between=None) -> list[str]:
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        answer = client.get(path, headers=role, params=params)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert len(body["items"]) <= limit
        seen += [item["withdrawal_id"] for item in body["items"]]
        pages += 1
        if between and pages == 1:
            between()
        cursor = body["next_cursor"]
        if cursor is None:
            return seen


def test_a_users_list_pages_newest_first_and_stays_stable_under_inserts(client, ids):
    user = credited_user(client, ids, 100_000)
    for n in range(5):
        assert withdraw(client, ids(f"w{n}"), user, 1_000 + n).status_code == 201
    path = f"/v1/users/{user}/withdrawals"
    listed = page_through(client, path, MALL, 2,
                          between=lambda: withdraw(client, ids("new"), user, 1_000))
    assert listed == [ids(f"w{n}") for n in (4, 3, 2, 1, 0)]  # the newcomer went on top
    assert page_through(client, path, MALL, 1000)[0] == ids("new")
    failed = client.get(path, headers=MALL, params={"status": "failed"}).json()
    assert failed == {"items": [], "next_cursor": None}
    assert client.get(f"/v1/users/{ids('nobody')}/withdrawals", headers=MALL).status_code == 404


def test_the_review_queue_pages_oldest_first_through_every_one_waiting(client, ids):
    user = credited_user(client, ids, 450_000)
    mine = []
    for n in range(4):
        mine.append(ids(f"r{n}"))
        assert withdraw(client, mine[-1], user, 100_000).json()["status"] == "pending_review"
    queue = page_through(client, "/v1/withdrawals?status=pending_review", ADMIN, 2,
                         between=lambda: withdraw(client, ids("late"), user, 1_000))
    assert len(queue) == len(set(queue))  # no withdrawal twice
    assert [w for w in queue if w in mine] == mine  # in the order they were asked
    assert queue[-1] == ids("late")  # asked during the paging: on a later page
    everything = client.get("/v1/withdrawals", headers=ADMIN, params={"limit": 1000}).json()
    assert everything["items"] and all(i["status"] for i in everything["items"])
    assert client.get("/v1/withdrawals", headers=MALL).status_code == 403


@pytest.mark.parametrize("params", [
    {"limit": 0}, {"limit": 1001}, {"limit": "many"}, {"status": "paid"},
    {"cursor": "not-a-cursor"}, {"cursor": "W10"}, {"cursor": "eyJhIjoxfQ"}, {"cursor": "é"},
    {"cursor": "x" * 600}])
def test_bad_list_parameters_are_422(client, ids, params):
    for path in ("/v1/withdrawals", f"/v1/users/{ids('u')}/withdrawals"):
        answer = client.get(path, headers=ADMIN, params=params)
        assert answer.status_code == 422, (path, params, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
