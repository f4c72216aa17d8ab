"""Points spent on items (`POST /v1/users/{id}/points/redeem`) and points that expire after
TIERGRAPH_POINTS_EXPIRE_DAYS, the oldest first, through the ledger."""

from datetime import UTC, datetime, timedelta

from graph.audit import trail
from graph.money import ledger, points
from tests.conftest import auth
from tests.factories import make_order, make_user
from workers.tasks.points import expire

MALL, ADMIN = auth("mall"), auth("admin")


def iso(moment):
    return moment.isoformat()


def earn(client, ids, name, inviter, buyer, amount_cents, completed_at):
    """The inviter earns 5% of an order of `amount_cents` in points (a points rule on a
    category of the test's own), credited a day after the order completes."""
    category = "pts-" + ids("c")[-8:]
    client.post("/v1/rules", headers=ADMIN, json={
        "id": ids("pts"), "tiers": [500], "kind": "points", "category": category})
    order = ids(name)
    answer = client.post("/v1/events", headers=MALL, json=[
        make_order(order, buyer, [(category, amount_cents)],
                   at=iso(completed_at - timedelta(days=1))),
        {"type": "order_completed", "order_id": order, "at": iso(completed_at)}])
    assert answer.json()["accepted"] == 2, answer.text
    assert client.post(f"/v1/orders/{order}/payouts", headers=MALL).status_code == 200
    settled = client.post("/v1/settlement/run", headers=ADMIN,
                          json={"as_of": iso(datetime.now(UTC))})
    assert settled.status_code == 200, settled.text


def register(client, ids):
    a, b = ids("a"), ids("b")
    assert client.post("/v1/events", headers=MALL,
                       json=[make_user(a), make_user(b, a)]).json()["accepted"] == 2
    return a, b


def available(client, user_id):
    return client.get(f"/v1/users/{user_id}/balance", headers=MALL).json()["points"]["available"]


def ledger_lines(user_id, type_):
    """The user's points legs of `available` of one transaction type, summed."""
    return sum(r["cents"] for r in ledger.user_sums(user_id)
               if (r["kind"], r["bucket"], r["type"]) == ("points", "available", type_))


def balanced():
    check = ledger.check()
    return (check["total"], check["unbalanced"]) == (0, 0)


def test_points_are_redeemed_once_and_refused_beyond_the_balance(client, ids):
    a, b = register(client, ids)
    earn(client, ids, "o", a, b, 100_000, datetime(2025, 7, 2, 10, tzinfo=UTC))
    assert available(client, a) == 5000
    body = {"redemption_id": ids("rd"), "points": 3000, "item": "sku-kettle"}
    first = client.post(f"/v1/users/{a}/points/redeem", headers=MALL, json=body)
    assert first.status_code == 201, first.text
    assert {k: first.json()[k] for k in ("redemption_id", "user_id", "points", "item")} == \
        {"redemption_id": ids("rd"), "user_id": a, "points": 3000, "item": "sku-kettle"}
    again = client.post(f"/v1/users/{a}/points/redeem", headers=MALL, json=body)
    assert (again.status_code, again.json()) == (200, first.json())
    other = client.post(f"/v1/users/{a}/points/redeem", headers=MALL,
                        json={**body, "item": "sku-teapot"})
    assert other.status_code == 409 and other.json()["reason"] == "conflict"
    too_many = client.post(f"/v1/users/{a}/points/redeem", headers=MALL,
                           json={"redemption_id": ids("rd2"), "points": 2001, "item": "x"})
    assert too_many.status_code == 422 and too_many.json()["reason"] == "insufficient_balance"
    unknown = client.post(f"/v1/users/{ids('nobody')}/points/redeem", headers=MALL,
                          json={"redemption_id": ids("rd3"), "points": 1, "item": "x"})
    assert unknown.status_code == 404
    zero = client.post(f"/v1/users/{a}/points/redeem", headers=MALL,
                       json={"redemption_id": ids("rd4"), "points": 0, "item": "x"})
    assert zero.status_code == 422
    assert client.post(f"/v1/users/{a}/points/redeem", headers=auth("risk"),
                       json=body).status_code == 403

    assert available(client, a) == 2000  # once, whatever the replays
    assert ledger_lines(a, "redeem") == -3000
    entries = [(e["action"], e["after"]) for e in trail.page(0, 100_000)
               if e["target"] == f"user:{a}" and e["action"] == "points.redeem"]
    assert entries == [("points.redeem", {"points_available": 2000, "redemption_id": ids("rd"),
                                          "points": 3000, "item": "sku-kettle"})]
    assert balanced()


def test_points_expire_the_oldest_first_and_once(client, ids):
    a, b = register(client, ids)
    now = datetime.now(UTC)
    cutoff = points.expiry_cutoff(now, 365)
    old_completed = now - timedelta(days=368)  # credited a day later: before the cutoff
    earn(client, ids, "old", a, b, 100_000, old_completed)  # 5000 points
    earn(client, ids, "young", a, b, 40_000, now - timedelta(days=20))  # 2000 points
    assert available(client, a) == 7000
    # spending takes the oldest points: 3000 of the old 5000, so 2000 of them expire
    assert client.post(f"/v1/users/{a}/points/redeem", headers=MALL, json={
        "redemption_id": ids("rd"), "points": 3000, "item": "sku"}).status_code == 201

    first = points.expire(now)
    assert first["cutoff"] == iso(cutoff) and first["users_expired"] >= 1
    assert ledger_lines(a, "expire") == -2000
    assert available(client, a) == 2000  # the young points stay
    second = points.expire(now)
    assert (second["users_expired"], second["points_expired"]) == (0, 0)
    points.expire(now, full=True)  # every credit in the graph examined: a's expired already
    assert ledger_lines(a, "expire") == -2000
    assert available(client, a) == 2000
    assert client.post(f"/v1/users/{a}/points/redeem", headers=MALL, json={
        "redemption_id": ids("rd2"), "points": 2001, "item": "sku"}).status_code == 422
    assert balanced()
    assert [e["after"]["cutoff"] for e in trail.page(0, 100_000)
            if e["action"] == "points.expire"][-1] == iso(cutoff)


def test_an_expiry_a_day_later_takes_only_what_aged_since(client, ids):
    """Points credited after the first cutoff are not taken by it; the next day's run takes
    what aged by then, less what was spent meanwhile."""
    a, b = register(client, ids)
    now = datetime.now(UTC)
    earn(client, ids, "o1", a, b, 20_000, now - timedelta(days=368))  # 1000 points
    earn(client, ids, "o2", a, b, 40_000, now - timedelta(days=365, hours=12))  # 2000 points
    points.expire(now - timedelta(days=1))  # the cutoff a day earlier: only o1's credit
    assert ledger_lines(a, "expire") == -1000
    assert available(client, a) == 2000
    by_worker = expire.delay(now=(now + timedelta(days=2)).isoformat()).get(timeout=60)
    assert by_worker["users_expired"] >= 1
    assert ledger_lines(a, "expire") == -3000
    assert available(client, a) == 0
    assert balanced()

