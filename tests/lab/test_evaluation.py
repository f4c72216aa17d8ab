"""Evaluation maths against labels on a hand-made example (pure)."""

from datetime import UTC, datetime, timedelta

import pytest

from lab.evaluation import evaluate, match_rings, rebates
from tests.factories import make_order, make_user

T0 = datetime(2026, 3, 10, 12, tzinfo=UTC)


def at(hours: float) -> str:
    return (T0 + timedelta(hours=hours)).isoformat()


def test_evaluation_maths_on_a_hand_made_example():
    day = 86_400
    events = [
        make_user("k", at=at(-100)), make_user("a1", "k", at=at(-90)),
        make_user("a2", "a1", at=at(-80)), make_user("a3", "a2", at=at(-70)),
        make_user("a4", "a3", at=at(-60)),
        make_user("b1", at=at(-50)), make_user("b2", "b1", at=at(-50)),
        make_user("c1", at=at(-40)), make_user("c2", at=at(-40)), make_user("c3", at=at(-40)),
        make_user("x1", "k", at=at(-30)), make_user("x2", at=at(-30)),
        make_user("x3", "x2", at=at(-30)),
        make_order("o-a4", "a4", [("beauty", 10_000)], at=at(0)),  # a3 1000, a2 500, a1 200
        make_order("o-x1", "x1", [("beauty", 10_000)], at=at(0)),  # k 1000
        make_order("o-x3", "x3", [("food", 999)], at=at(0)),  # x2 99
        make_order("o-b2", "b2", [("food", 20_000)], at=at(0)),  # b1 2000, refunded late
        {"type": "order_refunded", "order_id": "o-b2", "refund_id": "r1", "amount_cents": 20_000,
         "at": at(24 * 20)},
    ]
    paid = {(r.buyer, r.beneficiary): r.cents for r in rebates(events)}
    assert paid == {("a4", "a3"): 1000, ("a4", "a2"): 500, ("a4", "a1"): 200, ("x1", "k"): 1000,
                    ("x3", "x2"): 99, ("b2", "b1"): 2000}
    labels = {"rings": [{"ring": "A", "kind": "invite_farm", "members": ["a1", "a2", "a3", "a4"]},
                        {"ring": "B", "kind": "self_referral", "members": ["b1", "b2"]},
                        {"ring": "C", "kind": "collusion", "members": ["c1", "c2", "c3"]}],
              "groups": {"household": [["x2", "x3"]], "nat": [], "super_inviter": ["k"]}}
    predicted = [["a1", "a2", "a3", "x1"], ["b1", "b2", "b3"], ["x2", "x3"]]
    assert match_rings(predicted, [r["members"] for r in labels["rings"]]) == [
        (1, 1, pytest.approx(2 / 3)), (0, 0, pytest.approx(3 / 5))]
    t_paid = T0.timestamp()
    snapshots = {"m": [(t_paid + 7 * day, [["b1", "b2"]]), (t_paid + 30 * day, predicted)]}
    report = evaluate(events, labels, {"m": predicted}, snapshots)["m"]
    everything = report.rows["all"]
    assert everything.ring_prf() == pytest.approx((2 / 3, 2 / 3, 2 / 3))
    assert everything.member_prf() == pytest.approx((5 / 9, 5 / 9, 5 / 9))
    assert report.rows["kind:invite_farm"].ring_prf() == pytest.approx((1.0, 1.0, 1.0))
    assert report.rows["kind:collusion"].ring_prf() == (0.0, 0.0, 0.0)
    assert report.rows["kind:invite_farm"].member_prf() == pytest.approx((3 / 4, 3 / 4, 3 / 4))
    assert report.rows["size:2-3"].true_rings == 2 and report.rows["size:4-9"].matched == 1
    # Benign payouts: x1's 1000 (held: x1 flagged) and x3's 99 (held: the household is flagged).
    assert report.payouts["benign"] == [1099, 1099]
    assert report.payouts["household"] == [99, 99]
    assert report.payouts["super_inviter"] == [1000, 1000]
    # Fraud: a4's 1700 (a4 never flagged) and b2's 2000 (flagged on day 7, credited day 8).
    assert report.payouts["fraud_final"] == [0 + 2000, 3700]
    assert report.payouts["fraud_in_time"] == [2000, 3700]
