"""A team bonus under risk, against the real stack: a ring found after the bonus was paid
holds it with its leader's other money (the ring's money counts it) until a dismissal
releases it; a confirmation voids an unpaid bonus and claws back a credited one; and the
orders of a buyer confirmed as fraud leave the sales of every bonus that counted them,
lowered as a refund lowers them, once, and left out of later runs and refunds."""

from typing import Any

import pytest

from graph.money import ledger
from tests.api.test_ring_decisions import decide, plant_ring
from tests.api.test_team_rewards import (
    PERIOD,
    bonuses,
    category,
    create,
    leader_with_one_sale,
    movements,
    no_delay,  # noqa: F401  (the fixture every test here uses)
    post,
    run,
    sale,
    settle,
)
from tests.conftest import auth
from tests.factories import make_user

RISK, ADMIN = auth("risk"), auth("admin")
pytestmark = pytest.mark.usefixtures("no_delay")  # a settlement run credits what it confirms
LATER = "2025-03-02T10:00:00+08:00"


def ring_money(client: Any, ring_id: str) -> dict[str, int]:
    """A ring's `money` as `GET /v1/risk/rings` lists it, page by page."""
    cursor = None
    while True:
        answer = client.get("/v1/risk/rings", headers=RISK,
                            params={"min_score": 0.9, "limit": 1000,
                                    **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200, answer.text
        for ring in answer.json()["rings"]:
            if ring["ring_id"] == ring_id:
                return dict(ring["money"])
        cursor = answer.json()["next_cursor"]
        assert cursor is not None, f"ring {ring_id} is not listed"


def decide_user(client: Any, user_id: str) -> dict[str, Any]:
    answer = client.post(f"/v1/risk/users/{user_id}/decision", headers=RISK,
                         json={"decision": "confirm", "note": "one person, two accounts"})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def reasons(client: Any, reward_id: str) -> dict[str, str | None]:
    """Each leader's bonus reason for a reward."""
    answer = client.get(f"/v1/team-rewards/{reward_id}/bonuses", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    return {b["leader"]: b["reason"] for b in answer.json()["items"]}


def assert_ledger_whole() -> None:
    check = ledger.check()
    assert (check["total"], check["unbalanced"], check["negative_buckets"]) == (0, 0, 0)


def test_a_ring_found_after_the_bonus_holds_it_until_it_is_dismissed(client, ids):
    lead, a, cat = leader_with_one_sale(client, ids)
    reward = ids("team")
    create(client, id=reward, threshold_cents=10000, bonus_cents=888, depth=1, category=cat)
    assert run(client, reward)["held"] == 0
    rebate_id = f"team:{reward}:{PERIOD}:{lead}"
    assert bonuses(client, reward)[lead] == (20000, 888, "confirmed")

    ring = ids("ring")
    plant_ring(ring, [lead])  # the leader placed no order: the bonus is all it holds
    assert bonuses(client, reward)[lead] == (20000, 888, "held")
    assert movements(rebate_id)[-1] == ("hold", "cash", ["confirmed", "held"], [-888, 888])
    assert ring_money(client, ring) == {"held_cents": 888, "credited_cents": 0,
                                        "withdrawn_cents": 0}
    shown = client.get(f"/v1/risk/rings/{ring}", headers=RISK).json()
    assert shown["held"] == {"cash": {"cents": 888, "rebates": 1}}
    assert shown["money"]["held_cents"] == 888

    answer = decide(client, ring, "dismiss")
    assert answer.status_code == 200, answer.text
    assert answer.json()["rebates_changed"] == 1
    assert bonuses(client, reward)[lead][2] in ("confirmed", "payable", "credited")
    assert ("release", "cash", ["held", "confirmed"], [-888, 888]) in movements(rebate_id)
    assert ring_money(client, ring)["held_cents"] == 0
    assert_ledger_whole()


def test_a_confirmed_ring_voids_an_unpaid_bonus_and_claws_back_a_credited_one(client, ids):
    paid, unpaid, a, b = ids("paid"), ids("unpaid"), ids("a"), ids("b")
    cat = category(ids)
    post(client, [make_user(paid), make_user(unpaid), make_user(a, paid), make_user(b, unpaid)]
         + sale(ids("oa"), a, 20000, cat) + sale(ids("ob"), b, 20000, cat))
    first, second = ids("first"), ids("second")
    create(client, id=first, threshold_cents=10000, bonus_cents=999, depth=1, category=cat)
    assert run(client, first)["created"] == 2
    settle(client)  # both of `first`'s bonuses credited
    create(client, id=second, threshold_cents=10000, bonus_cents=555, depth=1, category=cat)
    assert run(client, second)["created"] == 2  # born confirmed, after the settlement

    ring = ids("ring")
    plant_ring(ring, [paid])
    assert bonuses(client, second)[paid][2] == "held"
    assert bonuses(client, first)[paid][2] == "credited"  # a hold stops no credited money
    assert ring_money(client, ring)["credited_cents"] == 999
    answer = decide(client, ring, "confirm")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    # paid placed no order: its two bonuses are all the ring decides on
    assert (body["rebates_changed"], body["voided_cents"], body["clawed_back_cents"]) == (
        2, 555, 999)
    assert body["debt_cents"] == 0  # paid's own rebate on a's order is still credited
    assert "team_bonus" not in body["by_kind"]
    assert bonuses(client, first)[paid][2] == "void"
    assert bonuses(client, second)[paid][2] == "void"
    assert movements(f"team:{first}:{PERIOD}:{paid}")[-1] == (
        "adjust", "cash", ["available", "pool"], [-999, 999])
    assert movements(f"team:{second}:{PERIOD}:{paid}")[-1] == (
        "void", "cash", ["held", "pool"], [-555, 555])
    # the other leader is not in the ring
    assert bonuses(client, first)[unpaid][2] == "credited"
    assert bonuses(client, second)[unpaid][2] == "confirmed"
    assert_ledger_whole()


def test_a_confirmed_buyer_leaves_the_team_sales_of_every_bonus_once(client, ids):
    lead, a, b = ids("lead"), ids("a"), ids("b")
    cat = category(ids)
    post(client, [make_user(lead), make_user(a, lead), make_user(b, lead)]
         + sale(ids("oa"), a, 6000, cat) + sale(ids("ob"), b, 7000, cat))
    bp, fixed = ids("bp"), ids("fixed")
    create(client, id=bp, threshold_cents=5000, bonus_bp=1000, depth=1, category=cat)
    assert run(client, bp)["bonus_cents"] == 1300
    settle(client)
    create(client, id=fixed, threshold_cents=10000, bonus_cents=500, depth=1, category=cat)
    assert run(client, fixed)["bonus_cents"] == 500
    bp_id, fixed_id = (f"team:{r}:{PERIOD}:{lead}" for r in (bp, fixed))

    assert decide_user(client, a)["rebates_changed"] == 3  # a's order's rebate, two bonuses
    # the bp bonus, credited, follows the sales down to 7,000: 600 clawed back
    assert bonuses(client, bp)[lead] == (7000, 700, "credited")
    assert movements(bp_id)[-1] == ("adjust", "cash", ["available", "pool"], [-600, 600])
    # the fixed one, not yet credited, is under its threshold now: void
    assert bonuses(client, fixed)[lead] == (7000, 0, "void")
    assert movements(fixed_id)[-1] == ("void", "cash", ["confirmed", "pool"], [-500, 500])
    assert reasons(client, bp) == reasons(client, fixed) == {lead: "ring_confirmed"}

    booked = (movements(bp_id), movements(fixed_id))
    assert decide_user(client, a)["rebates_changed"] == 0  # again: nothing lowered twice
    assert (movements(bp_id), movements(fixed_id)) == booked

    # a later run leaves a's order out from the start
    late = ids("late")
    create(client, id=late, threshold_cents=7000, bonus_cents=100, depth=1, category=cat)
    assert run(client, late)["created"] == 1
    assert bonuses(client, late)[lead] == (7000, 100, "confirmed")
    # and a refund of b's order recomputes without a's: 5,000 left, 500
    post(client, [{"type": "order_refunded", "order_id": ids("ob"), "refund_id": ids("r"),
                   "amount_cents": 2000, "at": LATER}])
    assert bonuses(client, bp)[lead] == (5000, 500, "credited")
    assert movements(bp_id)[-1] == ("adjust", "cash", ["available", "pool"], [-200, 200])
    assert bonuses(client, late)[lead] == (5000, 0, "void")
    assert_ledger_whole()
