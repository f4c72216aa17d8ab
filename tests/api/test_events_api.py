"""POST /v1/events and POST /v1/users against the real Neo4j: chains, replays, bad events."""

from datetime import UTC, datetime, timedelta

import pytest

from graph import db
from graph.settings import get_settings
from tests.conftest import auth
from tests.factories import make_chain, make_order, make_session, make_user

MALL, ADMIN = auth("mall"), auth("admin")


def post(client, events):
    answer = client.post("/v1/events", json=events, headers=MALL)
    assert answer.status_code == 200, answer.text
    return answer.json()


def payouts(client, order_id):
    answer = client.post(f"/v1/orders/{order_id}/payouts", headers=MALL)
    assert answer.status_code == 200, answer.text
    return {(r["tier"], r["beneficiary"], r["amount_cents"]) for r in answer.json()["rebates"]}


def test_six_deep_chain_pays_exactly_tiers_one_to_three(client, ids):
    chain = [ids(f"c{n}") for n in range(7)]  # c0 invites c1 ... c6 buys
    result = post(client, make_chain(chain) + [make_order(ids("o"), chain[6], [("beauty", 12900)])])
    assert result == {"accepted": 8, "duplicates": 0, "rejected": []}
    assert payouts(client, ids("o")) == {(1, chain[5], 1290), (2, chain[4], 645),
                                         (3, chain[3], 258)}
    upline = client.get(f"/v1/users/{chain[6]}/upline", headers=MALL).json()["upline"]
    assert [(u["tier"], u["user_id"]) for u in upline] == [(1, chain[5]), (2, chain[4]),
                                                          (3, chain[3])]


def test_buyer_without_inviter_earns_no_one_anything(client, ids):
    post(client, [make_user(ids("solo")), make_order(ids("o"), ids("solo"))])
    answer = client.post(f"/v1/orders/{ids('o')}/payouts", headers=MALL).json()
    assert answer["computed"] is True and answer["rebates"] == []


def test_multi_item_order_rounds_down_per_item_and_tier(client, ids):
    chain = [ids(f"c{n}") for n in range(4)]
    post(client, make_chain(chain) + [make_order(ids("o"), chain[3], [("food", 333)] * 3)])
    assert payouts(client, ids("o")) == {(1, chain[2], 99), (2, chain[1], 48), (3, chain[0], 18)}


def _graph_counts(prefix: str) -> dict[str, int]:
    def work(tx):
        return db.run(tx, "testing.counts_by_prefix", prefix=prefix)[0]
    return db.read(work)


def test_replaying_a_whole_event_file_changes_nothing(client, ids):
    chain = [ids(f"c{n}") for n in range(5)]
    events = make_chain(chain) + [
        make_session(chain[4], ids("d1"), "203.0.113.9"),
        make_order(ids("o1"), chain[4], device_id=ids("d1"), ip="203.0.113.9",
                   payment_account=ids("pa"), shipping_address=ids("addr")),
        {"type": "order_refunded", "order_id": ids("o1"), "refund_id": ids("r1"),
         "amount_cents": 900, "at": "2026-03-03T10:00:00+08:00"},
        {"type": "order_completed", "order_id": ids("o1"), "at": "2026-03-09T10:00:00+08:00"},
    ]
    first = post(client, events)
    assert first == {"accepted": len(events), "duplicates": 0, "rejected": []}
    payouts(client, ids("o1"))
    before = _graph_counts(ids(""))
    again = post(client, events)
    assert again == {"accepted": 0, "duplicates": len(events), "rejected": []}
    payouts(client, ids("o1"))
    assert _graph_counts(ids("")) == before
    assert before["users"] == 5 and before["rebates"] == 3 and before["used"] == 1
    assert before["used_count"] == 2  # the session and the order, each counted once


def test_each_bad_event_is_refused_while_good_ones_land(client, ids):
    a, b, c = ids("a"), ids("b"), ids("c")
    post(client, make_chain([a, b, c]))
    good = [make_user(ids("good1"), a), make_order(ids("good-o"), b)]
    bad = [
        (make_user(ids("self"), ids("self")), "self_invite"),
        (make_user(ids("orphan"), ids("nobody")), "unknown_inviter"),
        (make_user(a, c), "invite_cycle"),
        (make_user(c, a), "inviter_conflict"),
        ({**make_order(ids("neg"), b), "amount_cents": -1}, "invalid_event"),
        ({**make_order(ids("frac"), b), "amount_cents": 12.5}, "invalid_event"),
        ({**make_order(ids("usd"), b), "currency": "USD"}, "invalid_event"),
        ({**make_order(ids("sum"), b), "amount_cents": 99}, "invalid_event"),
        ({"type": "order_paid", "order_id": ids("missing")}, "invalid_event"),
        (make_user("x" * 80), "invalid_event"),
        (make_user("u`) DETACH DELETE n"), "invalid_event"),
        (make_order(ids("ghost-o"), ids("ghost")), "unknown_user"),
        ({"type": "order_completed", "order_id": ids("nope"), "at": "2026-03-02T10:00:00Z"},
         "unknown_order"),
        ("not an object", "invalid_event"),
    ]
    batch = [good[0]] + [event for event, _ in bad] + [good[1]]
    result = post(client, batch)
    assert result["accepted"] == 2
    got = {r["index"]: r["reason"] for r in result["rejected"]}
    assert got == {n + 1: reason for n, (_, reason) in enumerate(bad)}
    assert all(r["detail"] for r in result["rejected"])
    assert client.get(f"/v1/users/{ids('good1')}", headers=MALL).json()["invited_by"] == a
    assert client.get(f"/v1/orders/{ids('good-o')}/rebates", headers=MALL).status_code == 200
    assert client.get(f"/v1/users/{ids('orphan')}", headers=MALL).status_code == 404
    # the re-registration did not move c under a: its inviter is still b
    assert client.get(f"/v1/users/{c}", headers=MALL).json()["invited_by"] == b


def test_conflicting_replay_of_an_order_is_refused(client, ids):
    post(client, [make_user(ids("u")), make_order(ids("o"), ids("u"), [("food", 500)])])
    result = post(client, [make_order(ids("o"), ids("u"), [("food", 700)])])
    assert [r["reason"] for r in result["rejected"]] == ["conflict"]


@pytest.mark.parametrize("at", ["2026-03-03T10:00:00+08:00", "2026-03-03T10:00:00.250+08:00"])
def test_a_completion_is_recorded_once_and_another_time_is_a_conflict(client, ids, at):
    post(client, [make_user(ids("u")), make_order(ids("o"), ids("u"), [("food", 500)])])
    done = {"type": "order_completed", "order_id": ids("o"), "at": at}
    assert post(client, [done])["accepted"] == 1
    same_instant = {**done, "at": at.replace("10:00", "02:00").replace("+08:00", "Z")}
    assert post(client, [done, same_instant]) == {"accepted": 0, "duplicates": 2, "rejected": []}
    result = post(client, [{**done, "at": "2026-03-04T10:00:00+08:00"}])
    assert [r["reason"] for r in result["rejected"]] == ["conflict"]
    assert "already completed at 2026-03-03T02:00:00" in result["rejected"][0]["detail"]


def test_refund_beyond_the_order_is_refused(client, ids):
    post(client, [make_user(ids("u")), make_order(ids("o"), ids("u"), [("food", 500)])])
    refund = {"type": "order_refunded", "order_id": ids("o"), "refund_id": ids("r"),
              "amount_cents": 501, "at": "2026-03-03T10:00:00Z"}
    assert post(client, [refund])["rejected"][0]["reason"] == "refund_exceeds_order"


@pytest.mark.parametrize(("body", "status"), [
    (b'[{"type": "session",', 400),
    (b"", 400),
])
def test_malformed_body_is_a_problem_not_a_500(client, body, status):
    answer = client.post("/v1/events", content=body,
                         headers={**MALL, "Content-Type": "application/json"})
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["status"] == status and answer.json()["detail"]


def test_batch_over_ten_thousand_events_is_refused_whole(client, ids):
    events = [make_user(ids(f"big{n}")) for n in range(10_001)]
    answer = client.post("/v1/events", json=events, headers=MALL)
    assert answer.status_code == 413
    assert client.get(f"/v1/users/{ids('big0')}", headers=MALL).status_code == 404


def test_register_user_endpoint_answers_201_then_200_then_409(client, ids):
    body = {"user_id": ids("r"), "at": "2026-03-01T10:00:00+08:00", "phone": "+8613812345678"}
    first = client.post("/v1/users", json=body, headers=MALL)
    assert first.status_code == 201
    assert first.json()["phone"] == "138****5678"
    assert client.post("/v1/users", json=body, headers=MALL).status_code == 200
    other = client.post("/v1/users", json={**body, "level": 3}, headers=MALL)
    assert other.status_code == 409
    assert other.headers["content-type"] == "application/problem+json"
    bad = client.post("/v1/users", json={**body, "user_id": ids("s"), "invited_by": ids("s")},
                      headers=MALL)
    assert bad.status_code == 422 and bad.json()["reason"] == "self_invite"


def test_depth_over_the_cap_is_422_and_unknown_user_404(client, ids):
    post(client, [make_user(ids("u"))])
    over = client.get(f"/v1/users/{ids('u')}/upline?depth=4", headers=MALL)
    assert over.status_code == 422 and over.json()["type"].endswith("tier-limit")
    assert client.get(f"/v1/users/{ids('none')}/upline", headers=MALL).status_code == 404


def test_downline_counts_per_tier_and_pages(client, ids):
    top = ids("top")
    events = [make_user(top)]
    for n in range(3):
        events.append(make_user(ids(f"a{n}"), top))
        for m in range(2):
            events.append(make_user(ids(f"a{n}b{m}"), ids(f"a{n}")))
            events.append(make_user(ids(f"a{n}b{m}c"), ids(f"a{n}b{m}")))
            events.append(make_user(ids(f"a{n}b{m}cd"), ids(f"a{n}b{m}c")))  # tier 4: not counted
    post(client, events)
    answer = client.get(f"/v1/users/{top}/downline?limit=4", headers=MALL).json()
    assert answer["counts"] == [{"tier": 1, "users": 3}, {"tier": 2, "users": 6},
                                {"tier": 3, "users": 6}]
    assert answer["total"] == 15
    assert [m["user_id"] for m in answer["members"]] == [ids("a0"), ids("a1"), ids("a2"),
                                                        ids("a0b0")]
    whole = client.get(f"/v1/users/{top}/downline", headers=MALL).json()
    assert whole["next_cursor"] is None and len(whole["members"]) == 15
    paged, cursor = answer["members"], answer["next_cursor"]
    while cursor:  # the same members, four at a time, by cursor
        page = client.get(f"/v1/users/{top}/downline?limit=4&cursor={cursor}",
                          headers=MALL).json()
        paged, cursor = paged + page["members"], page["next_cursor"]
    assert paged == whole["members"]
    bad = client.get(f"/v1/users/{top}/downline?cursor=WzEsMl0", headers=MALL)
    assert bad.status_code == 422 and bad.json()["reason"] == "invalid_cursor"


def test_an_order_dated_years_back_waits_out_the_return_window_from_its_receipt(client, ids):
    chain = [ids(f"c{n}") for n in range(2)]
    sent = datetime.now(UTC)
    post(client, make_chain(chain) + [make_order(ids("o"), chain[1], at="2019-06-02T10:00:00Z")])
    received = datetime.now(UTC)
    rebates = client.post(f"/v1/orders/{ids('o')}/payouts", headers=MALL).json()["rebates"]
    assert [r["status"] for r in rebates] == ["pending"]

    run = client.post("/v1/settlement/run", headers=ADMIN,
                      json={"as_of": received.isoformat(timespec="seconds")})
    assert run.status_code == 200, run.text
    again = client.post(f"/v1/orders/{ids('o')}/payouts", headers=MALL).json()["rebates"]
    assert [r["status"] for r in again] == ["pending"]
    # due a return window after the order arrived, as if it had been paid then
    window = timedelta(days=get_settings().return_window_days)
    due = db.read_query("settlement.due_confirm", as_of=received + window + timedelta(days=1),
                        ids=[rebates[0]["rebate_id"]], limit=10,
                        window_days=window.days)
    assert [d["rebate_id"] for d in due] == [rebates[0]["rebate_id"]]
    assert sent + window <= datetime.fromisoformat(due[0]["due"]) <= received + window

