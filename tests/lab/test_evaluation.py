"""Evaluation maths against labels on a hand-made example (pure)."""

from datetime import UTC, datetime, timedelta

import pytest

from lab.evaluation import evaluate, false_ring_causes, match_rings, rebates
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


def test_honest_users_flagged_and_the_causes_of_false_rings():
    events = [make_user(u, at=at(-10)) for u in ("a1", "a2", "a3", "h1", "h2", "h3", "p0", "p1",
                                                   "p2", "p3", "q1", "q2")]
    labels = {"rings": [{"ring": "A", "kind": "device_farm", "members": ["a1", "a2", "a3"]}],
              "groups": {"household": [["h1", "h2", "h3"]],
                         "promotion": [["p0", "p1", "p2", "p3"]],
                         "nat": [["h1", "h2", "h3", "p0", "p1", "p2", "p3"]],
                         "super_inviter": ["p0"]}}
    predicted = [["a1", "a2", "a3"],  # matched
                 ["a1", "a2", "h1"],  # two thirds fraud: a part of a ring, not a false ring
                 ["h1", "h2"],  # the household and the NAT both hold both: the smaller wins
                 ["p1", "p2", "h3"],  # the promotion holds two, the NAT three
                 ["p1", "p2", "q1"],  # the promotion holds two, the NAT two: the smaller
                 ["q1", "q2"]]  # in no group
    assert false_ring_causes(predicted, labels) == {1: "ring_part", 2: "household", 3: "nat",
                                                    4: "promotion", 5: "other"}
    report = evaluate(events, labels, {"m": predicted})["m"]
    assert report.honest_users == 9
    assert report.honest_flagged() == 7  # h1 h2 h3 p1 p2 q1 q2
    assert report.honest_flagged_share() == pytest.approx(7 / 9)
    assert dict(report.false_rings) == {"ring_part": 1, "household": 1, "nat": 1,
                                        "promotion": 1, "other": 1}
    assert report.recall("device_farm") == 1.0 and report.recall("camouflaged") is None
    twice = evaluate(events, labels, {"m": predicted})["m"]
    twice.merge(report)
    assert twice.honest_users == 18 and twice.false_rings["other"] == 2
