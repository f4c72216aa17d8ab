"""Risk decisions reach withdrawals, against the real stack: a disabled user, a member of a
ring at or above the hold score that is not dismissed, or of a confirmed ring, is refused
(422 risk-blocked) with nothing reserved; a dismissed or low-scoring ring does not block."""

import uuid
from datetime import UTC, datetime

from graph import db
from tests.api.test_withdrawals import ADMIN, MALL, cash, credited_user, withdraw
from tests.conftest import auth

RISK = auth("risk")


def plant_ring(ring_id: str, members: list[str], score: float) -> None:
    """Store an open ring as a detection run does."""
    db.write_query("risk.store_rings", run={"id": uuid.uuid4().hex,
                                            "at": datetime.now(UTC).isoformat()},
                   rings=[{"ring_id": ring_id, "score": score, "size": len(members),
                           "reasons": ["shared_device"], "features": "{}",
                           "members": sorted(members)}])


def assert_blocked(client, withdrawal_id: str, user: str, why: str) -> None:
    before = cash(client, user)
    answer = withdraw(client, withdrawal_id, user, 1_000)
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["type"].endswith("/risk-blocked") and body["reason"] == "risk_blocked"
    assert why in body["detail"]
    assert answer.headers["content-type"] == "application/problem+json"
    assert cash(client, user) == before  # nothing reserved
    assert client.get(f"/v1/withdrawals/{withdrawal_id}", headers=MALL).status_code == 404


def test_a_disabled_user_may_not_withdraw_until_enabled(client, ids):
    user = credited_user(client, ids, 10_000)
    assert client.post(f"/v1/users/{user}/disable", headers=ADMIN,
                       json={"reason": "chargebacks under review"}).status_code == 200
    assert_blocked(client, ids("w"), user, "is disabled")
    assert client.post(f"/v1/users/{user}/enable", headers=ADMIN).status_code == 200
    assert withdraw(client, ids("w"), user, 1_000).json()["status"] == "completed"


def test_a_held_ring_member_is_blocked_until_the_ring_is_dismissed(client, ids):
    member, outsider = credited_user(client, ids, 10_000), credited_user(client, ids, 10_000, "o")
    plant_ring(ids("ring"), [member], score=0.95)
    assert_blocked(client, ids("w"), member, "is under risk review")
    assert withdraw(client, ids("ow"), outsider, 1_000).json()["status"] == "completed"
    decided = client.post(f"/v1/risk/rings/{ids('ring')}/decision", headers=RISK,
                          json={"decision": "dismiss", "note": "a family"})
    assert decided.status_code == 200, decided.text
    assert withdraw(client, ids("w"), member, 1_000).json()["status"] == "completed"


def test_a_ring_under_the_hold_score_blocks_nothing_until_confirmed(client, ids):
    member = credited_user(client, ids, 10_000)
    plant_ring(ids("ring"), [member], score=0.4)
    assert withdraw(client, ids("w1"), member, 1_000).json()["status"] == "completed"
    decided = client.post(f"/v1/risk/rings/{ids('ring')}/decision", headers=RISK,
                          json={"decision": "confirm", "note": "seen enough"})
    assert decided.status_code == 200, decided.text
    assert_blocked(client, ids("w2"), member, "is confirmed as fraud")


def test_an_approval_is_refused_once_risk_holds_the_user_and_a_rejection_frees_the_money(
        client, ids):
    member = credited_user(client, ids, 150_000)
    assert withdraw(client, ids("w"), member, 100_000).json()["status"] == "pending_review"
    path = f"/v1/withdrawals/{ids('w')}"
    assert client.post(f"{path}/approve", headers=ADMIN).status_code == 200
    plant_ring(ids("ring"), [member], score=0.9)
    second = client.post(f"{path}/approve", headers=auth("admin") | {
        "Authorization": "Bearer test-admin-2"})
    assert second.status_code == 422 and second.json()["reason"] == "risk_blocked"
    assert client.get(path, headers=MALL).json()["status"] == "pending_review"
    assert cash(client, member)["withdrawing"] == 100_000
    rejected = client.post(f"{path}/reject", headers=ADMIN, json={"note": "ring member"})
    assert rejected.json()["status"] == "rejected"
    balance = cash(client, member)
    assert (balance["available"], balance["withdrawing"], balance["withdrawn"]) == (150_000, 0, 0)


def test_a_replay_of_a_withdrawal_made_before_the_block_answers_what_is_stored(client, ids):
    member = credited_user(client, ids, 10_000)
    assert withdraw(client, ids("w"), member, 1_000).status_code == 201
    plant_ring(ids("ring"), [member], score=0.9)
    again = withdraw(client, ids("w"), member, 1_000)
    assert again.status_code == 200 and again.json()["status"] == "completed"
    assert_blocked(client, ids("w2"), member, "is under risk review")
