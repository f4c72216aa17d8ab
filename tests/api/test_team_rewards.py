"""Team rewards through the API against the real stack: terms over the tier cap refused and
nothing stored, a closed period paid once by the worker's job (tier depth + 1 and orders
still in their return window not counted), the bonus settled, clawed back after a refund
and shown to compliance; a held leader's bonus held until the ring is dismissed; the mall
told of a new bonus; a bonus in the compliance export and in ROI on its month's last day."""

import csv
import io
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from graph import db
from graph.settings import get_settings
from tests.api.test_ring_decisions import plant_ring
from tests.api.test_webhooks import SECRET, Receiver, wait_until
from tests.conftest import auth
from tests.factories import make_chain, make_order, make_user

MALL, ADMIN, COMPLIANCE, RISK = auth("mall"), auth("admin"), auth("compliance"), auth("risk")
PROBLEM = "application/problem+json"
PERIOD = "2025-01"  # a China month long closed
PAID, DONE, LATER = ("2025-01-10T10:00:00+08:00", "2025-01-12T10:00:00+08:00",
                     "2025-03-01T10:00:00+08:00")


def post(client: Any, events: list[dict[str, Any]]) -> None:
    answer = client.post("/v1/events", headers=MALL, json=events)
    assert answer.status_code == 200 and not answer.json()["rejected"], answer.text


def sale(order_id: str, buyer: str, cents: int, category: str,
         completed: bool = True) -> list[dict[str, Any]]:
    """An order paid in PERIOD, of one item of `category` (each test its own, and its reward
    that category's: a reward counts the whole mall's sales), completed two days later unless
    `completed` is False (then its return window, counted from when tiergraph received it,
    is still open)."""
    events = [make_order(order_id, buyer, [(category, cents)], at=PAID)]
    if completed:
        events.append({"type": "order_completed", "order_id": order_id, "at": DONE})
    return events


def category(ids: Any) -> str:
    """A category of the test's own."""
    return ids("cat").lower()


def leader_with_one_sale(client: Any, ids: Any) -> tuple[str, str, str]:
    """A leader whose one invitee sold 20,000 cents of the test's own category in PERIOD:
    the leader, the invitee and the category."""
    lead, a = ids("lead"), ids("a")
    cat = category(ids)
    post(client, [make_user(lead), make_user(a, lead)] + sale(ids("oa"), a, 20000, cat))
    return lead, a, cat


def create(client: Any, **terms: Any) -> dict[str, Any]:
    answer = client.post("/v1/team-rewards", headers=ADMIN, json=terms)
    assert answer.status_code == 201, answer.text
    return answer.json()


def run(client: Any, reward_id: str, period: str = PERIOD) -> dict[str, Any]:
    """Start a run and wait for the worker to finish it; its result."""
    answer = client.post(f"/v1/team-rewards/{reward_id}/runs", headers=ADMIN,
                         json={"period": period})
    assert answer.status_code == 202, answer.text
    job_id = answer.json()["job_id"]
    for _ in range(600):
        job = client.get(f"/v1/team-rewards/{reward_id}/runs/{job_id}", headers=ADMIN).json()
        if job["status"] in ("succeeded", "failed"):
            assert job["status"] == "succeeded", job
            return job["result"]
        time.sleep(0.1)
    raise AssertionError(f"run {job_id} did not finish")


def bonuses(client: Any, reward_id: str) -> dict[str, tuple[int, int, str]]:
    answer = client.get(f"/v1/team-rewards/{reward_id}/bonuses", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    return {b["leader"]: (b["team_sales_cents"], b["amount_cents"], b["status"])
            for b in answer.json()["items"]}


def settle(client: Any) -> dict[str, Any]:
    answer = client.post("/v1/settlement/run", headers=ADMIN,
                         json={"as_of": datetime.now(UTC).isoformat()})
    assert answer.status_code == 200, answer.text
    return answer.json()


def movements(rebate_id: str) -> list[tuple[str, str, list[str], list[int]]]:
    return [(x["type"], x["kind"], x["buckets"], x["amounts"])
            for x in db.read_query("testing.rebate_ledger", rebate_id=rebate_id)]


@pytest.fixture
def no_delay(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """TIERGRAPH_SETTLEMENT_DELAY_DAYS=0: a settlement run credits what it confirms."""
    monkeypatch.setenv("TIERGRAPH_SETTLEMENT_DELAY_DAYS", "0")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.mark.parametrize("terms, kind", [
    ({"depth": 99}, "tier-limit"),
    ({"bonus_bp": 100}, "validation"),  # both a fixed sum and basis points
    ({"bonus_cents": None}, "validation"),  # neither
    ({"threshold_cents": 0}, "validation"),
    ({"period": "week"}, "validation"),
    ({"bonus_cents": "500"}, "validation"),
    ({"extra": 1}, "validation"),
])
def test_bad_terms_are_refused_and_store_nothing(client, ids, terms, kind):
    body = {"id": ids("bad"), "threshold_cents": 10000, "bonus_cents": 500, "depth": 1,
            **terms}
    if terms.get("depth") == 99:
        body["depth"] = get_settings().max_tiers + 1
    body = {k: v for k, v in body.items() if v is not None}
    answer = client.post("/v1/team-rewards", headers=ADMIN, json=body)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["type"].endswith(kind)
    listed = client.get("/v1/team-rewards", headers=ADMIN).json()["team_rewards"]
    assert ids("bad") not in {r["id"] for r in listed}


def test_a_reward_is_stored_once_audited_and_retired(client, ids):
    created = create(client, id=ids("r"), threshold_cents=10000, bonus_bp=500, depth=1,
                     category="home")
    assert (created["status"], created["period"], created["bonus_cents"]) == \
        ("active", "month", None)
    again = client.post("/v1/team-rewards", headers=ADMIN,
                        json={"id": ids("r"), "threshold_cents": 1, "bonus_cents": 1,
                              "depth": 1})
    assert again.status_code == 409
    assert client.delete(f"/v1/team-rewards/{ids('r')}", headers=ADMIN).status_code == 204
    listed = {r["id"]: r for r in
              client.get("/v1/team-rewards", headers=ADMIN).json()["team_rewards"]}
    assert listed[ids("r")]["status"] == "retired" and listed[ids("r")]["retired_at"]
    assert client.delete("/v1/team-rewards/nobody", headers=ADMIN).status_code == 404
    actions = db.read_query("testing.audit_actions", target=f"team_reward:{ids('r')}")
    assert [r["action"] for r in actions] == ["team_reward.create", "team_reward.retire"]


def test_a_period_still_in_its_return_window_is_refused(client, ids):
    create(client, id=ids("r"), threshold_cents=1, bonus_cents=1, depth=1)
    answer = client.post(f"/v1/team-rewards/{ids('r')}/runs", headers=ADMIN,
                         json={"period": "2999-01"})
    assert answer.status_code == 422 and answer.json()["type"].endswith("period-not-closed")
    bad = client.post(f"/v1/team-rewards/{ids('r')}/runs", headers=ADMIN,
                      json={"period": "2025-13"})
    assert bad.status_code == 422
    unknown = client.post("/v1/team-rewards/nobody/runs", headers=ADMIN,
                          json={"period": PERIOD})
    assert unknown.status_code == 404


def test_a_team_bonus_is_paid_once_settled_clawed_back_and_certified(client, ids, no_delay):
    # lead -> a -> b -> c; x leads y, whose team stays under the threshold
    lead, a, b, c, x, y = (ids(n) for n in ("lead", "a", "b", "c", "x", "y"))
    cat = category(ids)
    post(client, make_chain([lead, a, b, c]) + make_chain([x, y]))
    post(client, sale(ids("oa"), a, 6000, cat) + sale(ids("ob"), b, 5000, cat)
         + sale(ids("oc"), c, 50000, cat)  # three tiers below lead: not in a depth-2 team
         + sale(ids("open"), a, 40000, cat, completed=False)  # its return window is still open
         + sale(ids("oy"), y, 9999, cat))
    reward = ids("team")
    create(client, id=reward, threshold_cents=10000, bonus_bp=1000, depth=2, category=cat)

    result = run(client, reward)
    assert (result["created"], result["already_paid"]) == (3, 0)
    # lead: a + b = 11,000 -> 1,100; a: b + c = 55,000 -> 5,500; b: c -> 5,000; x: nothing
    assert bonuses(client, reward) == {lead: (11000, 1100, "confirmed"),
                                       a: (55000, 5500, "confirmed"),
                                       b: (50000, 5000, "confirmed")}
    again = run(client, reward)  # a replay pays nobody twice
    assert (again["created"], again["already_paid"]) == (0, 3)
    rebate_id = f"team:{reward}:{PERIOD}:{lead}"
    assert movements(rebate_id) == [("accrue", "cash", ["pool", "confirmed"], [-1100, 1100])]

    mine = client.get(f"/v1/users/{lead}/rebates", headers=MALL).json()["rebates"]
    team = [r for r in mine if r["kind"] == "team_bonus"]
    assert [(r["rebate_id"], r["order_id"], r["tier"], r["amount_cents"]) for r in team] == \
        [(rebate_id, None, 2, 1100)]
    path = client.get(f"/v1/compliance/rebates/{rebate_id}/path", headers=COMPLIANCE).json()
    assert (path["order_id"], path["path"], path["tier"]) == (None, [lead], 2)
    cert = client.get(f"/v1/team-rewards/bonuses/{rebate_id}/certificate",
                      headers=COMPLIANCE).json()
    assert cert["within_cap"] is True
    assert {o["order_id"]: o["path"] for o in cert["orders"]} == {
        ids("oa"): [a, lead], ids("ob"): [b, a, lead]}

    assert settle(client)["credited"] >= 3
    assert bonuses(client, reward)[lead] == (11000, 1100, "credited")
    before = client.get(f"/v1/users/{lead}/balance", headers=MALL).json()["cash"]["available"]

    # a's order refunded in part: lead's team falls to 8,000, under the threshold
    post(client, [{"type": "order_refunded", "order_id": ids("oa"), "refund_id": ids("r1"),
                   "amount_cents": 3000, "at": LATER}])
    assert bonuses(client, reward)[lead] == (8000, 0, "credited")
    assert bonuses(client, reward)[a][1] == 5500  # a's team never counted a's own order
    assert movements(rebate_id)[-1] == ("adjust", "cash", ["available", "pool"], [-1100, 1100])
    after = client.get(f"/v1/users/{lead}/balance", headers=MALL).json()["cash"]["available"]
    # the bonus's 1,100 back (and lead's own rebate on a's order lowered with it)
    assert before - after >= 1100
    post(client, [{"type": "order_refunded", "order_id": ids("oa"), "refund_id": ids("r1"),
                   "amount_cents": 3000, "at": LATER}])  # a replay books nothing
    assert [m[0] for m in movements(rebate_id)].count("adjust") == 1
    # a bp bonus follows its team's sales down: c's refund lowers b's (c is 1 tier below)
    # and a's (2 tiers); lead never counted c
    post(client, [{"type": "order_refunded", "order_id": ids("oc"), "refund_id": ids("r2"),
                   "amount_cents": 10000, "at": LATER}])
    assert bonuses(client, reward)[b] == (40000, 4000, "credited")
    assert bonuses(client, reward)[a] == (45000, 4500, "credited")
    check = client.get("/v1/ledger/check", headers=ADMIN).json()
    assert (check["ledger"]["total"], check["ledger"]["unbalanced"]) == (0, 0)
    assert "team_bonus" not in check["kinds"]  # a team bonus is cash in the books


def test_a_held_leader_gets_the_bonus_held_until_the_ring_is_dismissed(client, ids, no_delay):
    lead, a, cat = leader_with_one_sale(client, ids)
    ring = ids("ring")
    db.write_query("testing.plant_rings", rings=[
        {"ring_id": ring, "score": 0.9, "status": "open", "members": [lead], "hold": True}])
    reward = ids("team")
    create(client, id=reward, threshold_cents=10000, bonus_cents=888, depth=1, category=cat)
    assert run(client, reward)["held"] == 1
    rebate_id = f"team:{reward}:{PERIOD}:{lead}"
    assert bonuses(client, reward)[lead] == (20000, 888, "held")
    assert movements(rebate_id) == [("accrue", "cash", ["pool", "held"], [-888, 888])]
    settle(client)
    assert bonuses(client, reward)[lead][2] == "held"  # settlement leaves a hold alone
    assert client.get(f"/v1/users/{lead}/balance", headers=MALL).json()["cash"]["held"] >= 888

    answer = client.post(f"/v1/risk/rings/{ring}/decision", headers=RISK,
                         json={"decision": "dismiss", "note": "a real team"})
    assert answer.status_code == 200, answer.text
    # released to where it was, then caught up with the last settlement run
    assert bonuses(client, reward)[lead][2] in ("confirmed", "payable", "credited")


def test_the_tier_report_counts_team_bonuses(client, ids):
    lead, a, b = ids("lead"), ids("a"), ids("b")
    cat = category(ids)
    post(client, make_chain([lead, a, b]) + sale(ids("oa"), a, 7000, cat)
         + sale(ids("ob"), b, 7000, cat))
    reward = ids("team")
    create(client, id=reward, threshold_cents=10000, bonus_cents=100, depth=2, category=cat)
    assert run(client, reward)["created"] == 1
    report = client.get("/v1/compliance/tier-report", headers=COMPLIANCE)
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["team_bonuses_checked"] >= 1 and body["team_rewards_checked"] >= 1
    assert body["max_paid_tier"] >= 2
    found = [v for v in body["violations"] if f"team:{reward}:{PERIOD}:{lead}" in v["examples"]]
    assert found == []


def month_sale(order_id: str, buyer: str, cents: int, category: str,
               day: str) -> list[dict[str, Any]]:
    """An order of one item paid on `day` (YYYY-MM-DD, China time), completed the next day."""
    paid = datetime.fromisoformat(f"{day}T10:00:00+08:00")
    return [make_order(order_id, buyer, [(category, cents)], at=paid.isoformat()),
            {"type": "order_completed", "order_id": order_id,
             "at": (paid + timedelta(days=1)).isoformat()}]


def test_the_mall_is_told_of_a_bonus_when_it_is_made(client, ids):
    lead, a, cat = leader_with_one_sale(client, ids)
    reward = ids("team")
    create(client, id=reward, threshold_cents=10000, bonus_cents=777, depth=1, category=cat)
    mall = Receiver()
    hook = client.post("/v1/webhooks", headers=ADMIN, json={
        "id": ids("hook"), "url": mall.url, "events": ["rebate.status_changed"],
        "secret": SECRET})
    assert hook.status_code == 201, hook.text
    try:
        assert run(client, reward)["created"] == 1
        rebate_id = f"team:{reward}:{PERIOD}:{lead}"
        [told] = wait_until(lambda: [p for p in mall.posts("rebate.status_changed")
                                     if p["body"]["data"]["rebate_id"] == rebate_id],
                            "the new bonus's rebate.status_changed")
    finally:
        client.delete(f"/v1/webhooks/{ids('hook')}", headers=ADMIN)
        mall.close()
    assert told["verified"]
    assert told["body"]["data"] == {
        "rebate_id": rebate_id, "order_id": None, "beneficiary": lead, "tier": 1,
        "kind": "team_bonus", "amount_cents": 777, "status": "confirmed", "reason": None,
        "previous_status": None}


def test_the_compliance_export_lists_a_bonus_at_its_months_end(client, ids):
    lead, a, b = ids("lead"), ids("a"), ids("b")
    cat = category(ids)
    post(client, make_chain([lead, a, b]) + month_sale(ids("oa"), a, 7000, cat, "2024-08-10")
         + month_sale(ids("ob"), b, 7000, cat, "2024-08-20"))
    for order in ("oa", "ob"):
        client.post(f"/v1/orders/{ids(order)}/payouts", headers=MALL)
    reward = ids("team")
    create(client, id=reward, threshold_cents=10000, bonus_cents=321, depth=2, category=cat)
    assert run(client, reward, "2024-08")["created"] == 1
    rebate_id = f"team:{reward}:2024-08:{lead}"

    def export(start: str, end: str) -> list[dict[str, str]]:
        answer = client.get("/v1/compliance/rebates.csv", headers=COMPLIANCE,
                            params={"from": start, "to": end})
        assert answer.status_code == 200, answer.text
        return [r for r in csv.DictReader(io.StringIO(answer.text))
                if r["order_id"] in (ids("oa"), ids("ob")) or r["rebate_id"] == rebate_id]

    august = export("2024-07-31T16:00:00Z", "2024-08-31T16:00:00Z")  # a China month
    assert [r["order_id"] for r in august][-3:] == [ids("ob"), ids("ob"), ""]
    assert august[-1] == {
        "rebate_id": rebate_id, "order_id": "", "order_paid_at": "2024-08-31T16:00:00Z",
        "tier": "2", "kind": "team_bonus", "amount_cents": "321", "original_cents": "321",
        "status": "confirmed", "reason": "", "beneficiary": lead, "buyer": "", "path": lead,
        "rule_ids": reward, "created_at": august[-1]["created_at"]}
    # the month ends at 16:00 UTC on its last day: a period ending before leaves it out, as
    # does one starting there
    assert [r["order_id"] for r in export("2024-08-01", "2024-08-31T15:59:59Z")] == \
        [r["order_id"] for r in august[:-1]]
    assert export("2024-08-31T16:00:00Z", "2024-09-30") == []


def test_roi_counts_a_bonus_on_its_months_last_day_as_it_changes(client, ids):
    lead, a = ids("lead"), ids("a")
    cat = category(ids)
    post(client, [make_user(lead), make_user(a, lead)]
         + month_sale(ids("oa"), a, 20000, cat, "2023-11-10"))
    client.post(f"/v1/orders/{ids('oa')}/payouts", headers=MALL)
    reward = ids("team")
    create(client, id=reward, threshold_cents=10000, bonus_cents=500, depth=1, category=cat)
    assert run(client, reward, "2023-11")["created"] == 1

    def roi(group_by: str, first: str = "2023-11-30") -> dict[str, dict[str, Any]]:
        assert client.post("/v1/analytics/fold", headers=ADMIN).status_code == 200
        answer = client.get("/v1/analytics/roi", headers=ADMIN, params={
            "from": first, "to": "2023-11-30", "group_by": group_by})
        assert answer.status_code == 200, answer.text
        return {row.pop("key"): row for row in answer.json()["rows"]}

    bonus = {"orders": 0, "gmv_cents": 0, "rebate_cents": 500, "held_cents": 0,
             "void_cents": 0, "roi": 0.0}
    assert roi("rule")[reward] == bonus
    assert roi("category")[cat] == bonus
    assert roi("day")["2023-11-30"] == bonus
    month = roi("category", "2023-11-01")[cat]  # the order once, on its own day
    order_rebates = sum(r["amount_cents"] for r in client.post(
        f"/v1/orders/{ids('oa')}/payouts", headers=MALL).json()["rebates"])
    assert (month["orders"], month["gmv_cents"], month["rebate_cents"]) == (
        1, 20000, order_rebates + 500)

    ring = ids("ring")
    plant_ring(ring, [lead])  # the bonus held, then void: each change refolds its day
    assert roi("rule")[reward] == {**bonus, "held_cents": 500}
    answer = client.post(f"/v1/risk/rings/{ring}/decision", headers=RISK,
                         json={"decision": "confirm", "note": "a farm"})
    assert answer.status_code == 200, answer.text
    assert roi("rule")[reward] == {**bonus, "rebate_cents": 0, "void_cents": 500,
                                   "roi": None}
