"""The rebate lifecycle and the ledger, end to end through the API against the real stack.

Orders here are paid in 2025 and settled as of 2025 dates, so settlement runs never touch
the 2026 orders of other tests.
"""

from graph.audit import trail
from graph.money import ledger
from tests.conftest import auth
from tests.factories import make_chain, make_order

MALL, ADMIN = auth("mall"), auth("admin")
PAID = "2025-06-02T10:00:00+08:00"  # 02:00 UTC


def post(client, events):
    answer = client.post("/v1/events", headers=MALL, json=events)
    assert answer.status_code == 200 and not answer.json()["rejected"], answer.text
    return answer.json()


def settle(client, as_of):
    answer = client.post("/v1/settlement/run", headers=ADMIN, json={"as_of": as_of})
    assert answer.status_code == 200, answer.text
    return {k: v for k, v in answer.json().items() if k != "as_of"}


def cash(client, user_id):
    answer = client.get(f"/v1/users/{user_id}/balance", headers=MALL)
    assert answer.status_code == 200, answer.text
    return {k: v for k, v in answer.json()["cash"].items() if v}


def statuses(client, order_id):
    rows = client.post(f"/v1/orders/{order_id}/payouts", headers=MALL).json()["rebates"]
    return [(r["tier"], r["amount_cents"], r["status"], r["reason"]) for r in rows]


def refund(order_id, refund_id, cents, at="2025-06-20T10:00:00+08:00"):
    return {"type": "order_refunded", "order_id": order_id, "refund_id": refund_id,
            "amount_cents": cents, "at": at}


def test_pending_to_credited_then_a_refund_after_crediting(client, ids):
    a, b, c, buyer = (ids(n) for n in "abcd")
    post(client, make_chain([a, b, c, buyer])
         + [make_order(ids("o"), buyer, [("home", 10000)], at=PAID)])
    assert statuses(client, ids("o")) == [(1, 1000, "pending", None), (2, 500, "pending", None),
                                          (3, 200, "pending", None)]
    assert cash(client, c) == {"pending": 1000}
    # inside the return window, not completed: nothing is due
    assert settle(client, "2025-06-05T00:00:00+00:00")["confirmed"] == 0
    post(client, [{"type": "order_completed", "order_id": ids("o"),
                   "at": "2025-06-04T10:00:00+08:00"}])
    # completed 06-04 02:00Z; T+1 makes it payable 06-05 02:00Z; a run then credits it
    moved = settle(client, "2025-06-05T03:00:00+00:00")
    assert moved["confirmed"] >= 3 and moved["payable"] >= 3 and moved["credited"] >= 3
    assert statuses(client, ids("o"))[0] == (1, 1000, "credited", None)
    assert cash(client, c) == {"credited": 1000, "available": 1000}
    assert settle(client, "2025-06-05T03:00:00+00:00") == {"confirmed": 0, "payable": 0,
                                                           "credited": 0}
    entries = trail.page(0, 100_000)
    runs = [e for e in entries if e["action"] == "settlement.run"
            and e["target"] == "settlement:2025-06-05T03:00:00+00:00"]
    assert len(runs) == 2 and runs[0]["actor"].startswith("admin:")
    assert runs[0]["after"]["credited"] >= 3 and runs[1]["after"]["credited"] == 0

    post(client, [refund(ids("o"), ids("r1"), 3000)])  # 30% back after crediting
    assert statuses(client, ids("o"))[0] == (1, 700, "credited", "partial_refund")
    assert cash(client, c) == {"credited": 1000, "available": 700}  # the adjustment is booked
    post(client, [refund(ids("o"), ids("r1"), 3000)])  # the replay changes nothing
    assert cash(client, c) == {"credited": 1000, "available": 700}


def test_refunds_before_settlement_lower_or_void_pending_rebates(client, ids):
    a, buyer = ids("a"), ids("buyer")
    post(client, make_chain([a, buyer]) + [
        make_order(ids("o1"), buyer, [("home", 9999)], at=PAID),
        make_order(ids("o2"), buyer, [("home", 5000)], at=PAID)])
    statuses(client, ids("o1"))
    statuses(client, ids("o2"))
    assert cash(client, a) == {"pending": 999 + 500}
    post(client, [refund(ids("o1"), ids("r1"), 3333), refund(ids("o2"), ids("r2"), 5000)])
    # 999 * (9999 - 3333) // 9999 = 666, rounded down; o2 refunded in full: void
    assert statuses(client, ids("o1")) == [(1, 666, "pending", "partial_refund")]
    assert statuses(client, ids("o2")) == [(1, 0, "void", "order_refunded")]
    assert cash(client, a) == {"pending": 666}
    # a void rebate is never confirmed or credited
    post(client, [{"type": "order_completed", "order_id": ids(o),
                   "at": "2025-06-25T10:00:00+08:00"} for o in ("o1", "o2")])
    settle(client, "2025-07-01T00:00:00+00:00")
    assert statuses(client, ids("o2")) == [(1, 0, "void", "order_refunded")]
    assert cash(client, a) == {"credited": 666, "available": 666}


def test_rebates_computed_after_a_refund_pay_only_what_is_left(client, ids):
    a, buyer = ids("a"), ids("buyer")
    # stored and refunded in one batch, before anyone computes the rebates
    result = client.post("/v1/events", headers=MALL, json=make_chain([a, buyer]) + [
        make_order(ids("o1"), buyer, [("home", 10000)], at=PAID), refund(ids("o1"), ids("r"), 2500),
        make_order(ids("o2"), buyer, [("home", 10000)], at=PAID),
        refund(ids("o2"), ids("r2"), 10000)])
    assert result.json()["accepted"] == 6
    assert statuses(client, ids("o1")) == [(1, 750, "pending", "partial_refund")]
    assert statuses(client, ids("o2")) == [(1, 0, "void", "order_refunded")]
    assert cash(client, a) == {"pending": 750}


def test_the_ledger_balances_and_no_bucket_but_available_is_negative(client):
    check = ledger.check()
    assert check["entries"] > 0
    assert (check["total"], check["unbalanced"], check["negative_buckets"]) == (0, 0, 0)


def test_user_rebates_list_filters_by_status(client, ids):
    a, buyer = ids("a"), ids("buyer")
    post(client, make_chain([a, buyer]) + [make_order(ids("o"), buyer, at=PAID)])
    statuses(client, ids("o"))
    listed = client.get(f"/v1/users/{a}/rebates?status=pending", headers=MALL).json()["rebates"]
    assert [(r["order_id"], r["tier"], r["status"]) for r in listed] == [(ids("o"), 1, "pending")]
    assert client.get(f"/v1/users/{a}/rebates?status=void", headers=MALL).json()["rebates"] == []
    assert client.get(f"/v1/users/{ids('x')}/balance", headers=MALL).status_code == 404
    assert client.get(f"/v1/users/{a}/rebates?status=lost", headers=MALL).status_code == 422


def test_user_rebates_page_newest_first_by_cursor(client, ids):
    a, buyer = ids("a"), ids("buyer")
    times = ["2026-03-02T10:00:00+08:00", "2026-03-03T10:00:00+08:00",
             "2026-03-03T10:00:00+08:00", "2026-03-01T10:00:00+08:00"]  # two at one instant
    orders = [make_order(ids(f"o{n}"), buyer, at=at) for n, at in enumerate(times)]
    post(client, make_chain([a, buyer]) + orders)
    for n in range(len(times)):
        statuses(client, ids(f"o{n}"))
    whole = client.get(f"/v1/users/{a}/rebates", headers=MALL).json()
    assert whole["next_cursor"] is None
    assert [r["order_id"] for r in whole["rebates"]] == [
        ids("o1"), ids("o2"), ids("o0"), ids("o3")]  # newest first, then by rebate id
    paged, cursor = [], None
    while True:
        query = f"/v1/users/{a}/rebates?limit=1" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(query, headers=MALL).json()
        paged, cursor = paged + page["rebates"], page["next_cursor"]
        if cursor is None:
            break
    assert paged == whole["rebates"]


def test_manual_adjustments_are_booked_once_audited_and_never_overdraw(client, ids):
    user = ids("adjusted")
    post(client, make_chain([user]))
    url = f"/v1/users/{user}/adjustments"
    credit = {"adjustment_id": ids("goodwill"), "amount_cents": 1500, "reason": "late parcel"}
    first = client.post(url, headers=ADMIN, json=credit)
    assert first.status_code == 201 and first.json()["actor"].startswith("admin:")
    assert client.post(url, headers=ADMIN, json=credit).status_code == 200  # a replay
    assert cash(client, user) == {"available": 1500}
    other = client.post(url, headers=ADMIN, json={**credit, "amount_cents": 9999})
    assert other.status_code == 409
    too_much = client.post(url, headers=ADMIN, json={
        "adjustment_id": ids("fix"), "amount_cents": -1501, "reason": "correction"})
    assert too_much.status_code == 422 and too_much.json()["reason"] == "insufficient_balance"
    debit = client.post(url, headers=ADMIN, json={
        "adjustment_id": ids("fix2"), "amount_cents": -500, "reason": "correction"})
    assert debit.status_code == 201
    assert cash(client, user) == {"available": 1000}
    assert client.post(url, headers=MALL, json=credit).status_code == 403
    assert client.post(f"/v1/users/{ids('ghost')}/adjustments", headers=ADMIN, json={
        **credit, "adjustment_id": ids("g")}).status_code == 404
    entries, after = [], 0
    while after is not None:
        page = client.get(f"/v1/audit?after={after}&limit=1000", headers=auth("compliance")).json()
        entries += page["entries"]
        after = page["next_after"]
    by_cursor, cursor = [], ""  # the same entries by cursor, in smaller pages
    while cursor is not None:
        page = client.get(f"/v1/audit?limit=400&cursor={cursor}" if cursor else
                          "/v1/audit?limit=400", headers=auth("compliance")).json()
        by_cursor += page["entries"]
        cursor = page["next_cursor"]
    assert [e["seq"] for e in by_cursor] == [e["seq"] for e in entries]
    mine = [e for e in entries if e["action"] == "ledger.adjust" and e["target"] == f"user:{user}"]
    assert [e["after"]["available"] for e in mine] == [1500, 1000]
    assert mine[-1]["before"] == {"available": 1500, "kind": "cash"}
    check = ledger.check()
    assert check["total"] == 0 and check["unbalanced"] == 0


def test_two_batches_refunding_the_same_order_at_once_refund_it_once(client, ids, monkeypatch):
    """Both batches check the order before either writes (forced here); the second to take
    the order's lock finds the refund already landed, checks again and is refused."""
    import threading

    from graph.ingest import checks
    from graph.ingest.batch import ingest_raw

    a, buyer = ids("a"), ids("buyer")
    post(client, make_chain([a, buyer]) + [make_order(ids("o"), buyer, [("home", 10000)], at=PAID)])
    statuses(client, ids("o"))
    both_checked = threading.Barrier(2, timeout=30)
    plain_check, first_checks = checks.check_events, set()

    def check_then_wait(*args):
        outcomes = plain_check(*args)
        if threading.get_ident() not in first_checks:
            first_checks.add(threading.get_ident())
            both_checked.wait()
        return outcomes

    monkeypatch.setattr(checks, "check_events", check_then_wait)
    results = {}

    def send(name):
        results[name] = ingest_raw([refund(ids("o"), ids(name), 10000)])

    threads = [threading.Thread(target=send, args=(name,)) for name in ("r1", "r2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(r.accepted for r in results.values()) == [0, 1]
    refused = [r.rejected[0] for r in results.values() if r.rejected]
    assert [x.reason for x in refused] == ["refund_exceeds_order"]
    assert statuses(client, ids("o")) == [(1, 0, "void", "order_refunded")]
    assert cash(client, a) == {}
    check = ledger.check()
    assert (check["total"], check["unbalanced"], check["negative_buckets"]) == (0, 0, 0)


def test_payouts_compute_an_order_once_then_answer_what_is_stored(client, ids):
    """The first call computes the rebates (the worker had not); later calls are one read of
    what is stored: the same rebates, the same bytes as GET .../rebates. An unknown order is
    a 404 problem."""
    a, b, buyer = (ids(n) for n in ("a", "b", "buyer"))
    post(client, make_chain([a, b, buyer]) + [make_order(ids("o"), buyer, at=PAID)])

    first = client.post(f"/v1/orders/{ids('o')}/payouts", headers=MALL)
    again = client.post(f"/v1/orders/{ids('o')}/payouts", headers=MALL)
    stored = client.get(f"/v1/orders/{ids('o')}/rebates", headers=MALL)
    unknown = client.post(f"/v1/orders/{ids('none')}/payouts", headers=MALL)

    assert first.status_code == again.status_code == 200
    assert first.json()["computed"] is True
    assert [(r["beneficiary"], r["tier"]) for r in first.json()["rebates"]] == [(b, 1), (a, 2)]
    assert first.content == again.content == stored.content
    assert first.headers["content-type"] == "application/json"
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
