"""Property tests (hypothesis) over random sequences of registrations, orders, partial and
full refunds, completions, settlements and withdrawals, against the real stack.

Each example lives under its own id prefix and in 2024, so it never moves other tests'
money. After every sequence: the ledger sums to zero, every transaction balances, no bucket
but `available` is negative and `available` only after a refund adjustment, no order pays
more than TIERGRAPH_MAX_TOTAL_BP of its amount, no tier beyond the cap; replaying the whole
sequence (settlement runs included) changes nothing.
"""

import uuid
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph import db
from graph.money import ledger
from graph.settings import get_settings
from tests.conftest import auth

MALL, ADMIN = auth("mall"), auth("admin")
START = datetime(2024, 3, 1, 10, 0, tzinfo=timezone(timedelta(hours=8)))

step = st.one_of(
    st.tuples(st.just("register"), st.integers(0, 30)),
    st.tuples(st.just("order"), st.integers(0, 30),
              st.lists(st.tuples(st.sampled_from(["home", "food", "beauty"]),
                                 st.integers(1, 500_000)), min_size=1, max_size=3)),
    st.tuples(st.just("refund"), st.integers(0, 30), st.integers(1, 100)),
    st.tuples(st.just("complete"), st.integers(0, 30)),
    st.tuples(st.just("settle"), st.integers(0, 20)),
    st.tuples(st.just("withdraw"), st.integers(0, 30), st.integers(100, 50_000)),
)


def run_sequence(client, prefix, steps):
    """Turn abstract steps into API calls; returns what was sent, for the replay: the events,
    the withdrawals and the as_of of each settlement run."""
    users, orders, events, withdrawals, settled = [], [], [], [], []
    clock = START
    refunded: dict[str, int] = {}

    def send(event):
        answer = client.post("/v1/events", headers=MALL, json=[event]).json()
        if not answer["rejected"]:  # a refused one (a second completion) is not replayed
            events.append(event)

    for n, s in enumerate(steps):
        clock += timedelta(hours=7)
        at = clock.isoformat()
        kind = s[0]
        if kind == "register":
            user = f"{prefix}u{n}"
            event = {"type": "user_registered", "user_id": user, "at": at}
            if users:
                event["invited_by"] = users[s[1] % len(users)]
            users.append(user)
            send(event)
        elif kind == "order" and users:
            order = f"{prefix}o{n}"
            items = [{"sku": f"s{i}", "category": c, "amount_cents": a}
                     for i, (c, a) in enumerate(s[2])]
            amount = sum(i["amount_cents"] for i in items)
            send({"type": "order_paid", "order_id": order, "user_id": users[s[1] % len(users)],
                  "amount_cents": amount, "currency": "CNY", "items": items, "at": at})
            orders.append((order, amount))
            client.post(f"/v1/orders/{order}/payouts", headers=MALL)
        elif kind == "refund" and orders:
            order, amount = orders[s[1] % len(orders)]
            left = amount - refunded.get(order, 0)
            cents = max(1, left * s[2] // 100)
            if left > 0:
                refunded[order] = refunded.get(order, 0) + cents
                send({"type": "order_refunded", "order_id": order, "refund_id": f"{prefix}r{n}",
                      "amount_cents": cents, "at": at})
        elif kind == "complete" and orders:
            send({"type": "order_completed", "order_id": orders[s[1] % len(orders)][0], "at": at})
        elif kind == "settle":
            clock += timedelta(days=s[1])
            settled.append(clock.isoformat())
            client.post("/v1/settlement/run", headers=ADMIN, json={"as_of": settled[-1]})
        elif kind == "withdraw" and users:
            withdrawal = (f"{prefix}w{n}", users[s[1] % len(users)], s[2])
            withdrawals.append(withdrawal)
            client.post("/v1/withdrawals", headers=MALL, json=dict(
                zip(("withdrawal_id", "user_id", "amount_cents"), withdrawal, strict=True)))
    return events, withdrawals, settled


def snapshot(prefix):
    row = db.read_query("testing.money_by_prefix", prefix=prefix,
                        mall_buckets=ledger.MALL_BUCKETS)[0]
    rebates = sorted((r["rebate_id"], r["amount"], r["status"]) for r in row["rebates"])
    sums = sorted((s["user_id"], s["kind"], s["bucket"], s["type"], s["cents"], s["entries"])
                  for s in row["sums"] if s["user_id"] is not None)
    return row, rebates, sums


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=5, max_size=25))
def test_money_invariants_hold_for_any_sequence(client, steps):
    prefix = f"p{uuid.uuid4().hex[:6]}-"
    events, withdrawals, settled = run_sequence(client, prefix, steps)
    cap, max_total = get_settings().max_tiers, get_settings().max_total_bp

    check = ledger.check()
    assert (check["total"], check["unbalanced"], check["negative_buckets"]) == (0, 0, 0)
    row, rebates, sums = snapshot(prefix)
    per_order: dict[str, int] = {}
    for r in row["rebates"]:
        assert 1 <= r["tier"] <= cap
        per_order[r["order_id"]] = per_order.get(r["order_id"], 0) + r["amount"]
        assert r["amount"] >= 0
    for r in row["rebates"]:
        assert per_order[r["order_id"]] * 10_000 <= r["order_cents"] * max_total
    adjusted = {s[0] for s in sums if s[3] == "adjust"}
    available: dict[str, int] = {}
    for user, kind, bucket, _type, cents, _n in sums:
        if bucket == "available":
            available[(user, kind)] = available.get((user, kind), 0) + cents
    for (user, _kind), cents in available.items():
        assert cents >= 0 or user in adjusted, (user, cents)

    # the whole sequence again: events, payouts, withdrawals, and every settlement run with
    # its as_of, each of which finds nothing left to move
    answer = client.post("/v1/events", headers=MALL, json=events) if events else None
    if answer is not None:
        assert answer.json()["accepted"] == 0 and not answer.json()["rejected"]
    for withdrawal in withdrawals:
        client.post("/v1/withdrawals", headers=MALL, json=dict(
            zip(("withdrawal_id", "user_id", "amount_cents"), withdrawal, strict=True)))
    for order_id in {r["order_id"] for r in row["rebates"]}:
        client.post(f"/v1/orders/{order_id}/payouts", headers=MALL)
    for as_of in settled:
        moved = client.post("/v1/settlement/run", headers=ADMIN, json={"as_of": as_of}).json()
        assert {k: v for k, v in moved.items() if k != "as_of"} == {
            "confirmed": 0, "payable": 0, "credited": 0}, (as_of, moved)
    assert snapshot(prefix)[1:] == (rebates, sums)
