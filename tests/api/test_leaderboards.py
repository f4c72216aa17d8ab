"""Invite leaderboards (`GET /v1/leaderboards/invites`): the current week's and month's
inviters from the folded tallies, without held users and ring members."""

import time
from datetime import UTC, datetime, timedelta

from graph import db, leaderboards
from tests.conftest import auth
from tests.factories import make_order, make_user
from workers.app import app

MALL, ADMIN = auth("mall"), auth("admin")


def fold(client):
    answer = client.post("/v1/analytics/fold", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    return answer.json()


def board(client, period, limit=100, cursor=None):
    params = {"period": period, "limit": limit, **({"cursor": cursor} if cursor else {})}
    answer = client.get("/v1/leaderboards/invites", headers=MALL, params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def board_again(client):
    """The week's board once the page the API process keeps has gone stale."""
    time.sleep(leaderboards.HOLD_SHOWN_WITHIN_SECONDS)
    return board(client, "week")


def entries(answer):
    return [(e["rank"], e["user_id"], e["invitees"], e["orders"], e["rebate_cents"])
            for e in answer["entries"]]


def test_the_board_ranks_inviters_of_the_period_without_held_users_and_rings(
        client, clean_graph, ids):
    now = datetime.now(UTC).replace(microsecond=0)
    at, long_ago = now.isoformat(), (now - timedelta(days=40)).isoformat()
    invites = {"i1": 3, "i2": 2, "i3": 4, "i4": 5, "i5": 6, "i6": 2, "i7": 1}
    events = [make_user(ids(name), at=long_ago) for name in invites]
    for name, count in invites.items():
        events += [make_user(ids(f"{name}-v{k}"), ids(name), at=at) for k in range(count)]
    events.append(make_user(ids("i1-old"), ids("i1"), at=long_ago))  # before either period
    # i1's first invitee buys 10000 (i1 earns 10%); i2's two buy 5000 each; the old invitee
    # of i1 buys too, which is not an order of a period invitee
    orders = [("o1", "i1-v0", 10000), ("o2", "i2-v0", 5000), ("o3", "i2-v1", 5000),
              ("o4", "i1-old", 7000)]
    events += [make_order(ids(o), ids(buyer), [("home", cents)], at=at)
               for o, buyer, cents in orders]
    answer = client.post("/v1/events", headers=MALL, json=events)
    assert answer.json()["accepted"] == len(events), answer.text
    for order, _, _ in orders:
        assert client.post(f"/v1/orders/{ids(order)}/payouts", headers=MALL).status_code == 200
    # i3 is in an open ring over the hold score, i4 held (hold_ring), i5 in a confirmed ring;
    # i7's ring scores under the hold score and stays
    db.write_query("testing.plant_rings", rings=[
        {"ring_id": ids("ring-open"), "score": 0.9, "status": "open", "members": [ids("i3")],
         "hold": False},
        {"ring_id": ids("ring-held"), "score": 0.8, "status": "open", "members": [ids("i4")],
         "hold": True},
        {"ring_id": ids("ring-confirmed"), "score": 0.2, "status": "confirmed",
         "members": [ids("i5")], "hold": False},
        {"ring_id": ids("ring-low"), "score": 0.3, "status": "open", "members": [ids("i7")],
         "hold": False}])

    folded = fold(client)
    # i1 earned 700 on o4 too: a rebate created in the period, though its buyer is not
    expected = [(1, ids("i1"), 3, 1, 1000 + 700), (2, ids("i2"), 2, 2, 500 + 500),
                (3, ids("i6"), 2, 0, 0), (4, ids("i7"), 1, 0, 0)]
    week = board(client, "week")
    assert entries(week) == expected
    assert week["period"] == "week" and week["as_of"] == folded["as_of"]
    assert week["time_zone"] == "Asia/Shanghai"
    assert entries(board(client, "month")) == expected
    first = board(client, "week", limit=2)
    assert entries(first) == expected[:2] and first["next_cursor"]
    second = board(client, "week", limit=2, cursor=first["next_cursor"])
    assert entries(second) == expected[2:] and second["next_cursor"] is None
    assert week["next_cursor"] is None

    # a hold after the fold shows once the page the API keeps is read again: the
    # read leaves held users out itself
    db.write_query("testing.plant_rings", rings=[
        {"ring_id": ids("ring-late"), "score": 0.95, "status": "open", "members": [ids("i2")],
         "hold": True}])
    assert [e[1] for e in entries(board_again(client))] == [ids("i1"), ids("i6"), ids("i7")]
    # so does a hold on a user's own signals
    db.write_query("testing.plant_signal_hold", rebate_id=ids("held"), user_id=ids("i6"),
                   beneficiary=ids("i1"))
    assert [e[1] for e in entries(board_again(client))] == [ids("i1"), ids("i7")]

    # a new invitee is counted by the next fold, not before
    assert client.post("/v1/events", headers=MALL, json=[
        make_user(ids("i7-v9"), ids("i7"), at=at)]).json()["accepted"] == 1
    assert [e["invitees"] for e in board(client, "week")["entries"]
            if e["user_id"] == ids("i7")] == [1]
    by_worker = app.send_task("analytics.fold").get(timeout=60)  # the beat's task
    assert by_worker["tallies"] >= 2  # i7's week and month
    assert [e["invitees"] for e in board_again(client)["entries"]
            if e["user_id"] == ids("i7")] == [2]


def test_the_board_refuses_what_it_does_not_know(client):
    assert client.get("/v1/leaderboards/invites", headers=MALL,
                      params={"period": "year"}).status_code == 422
    assert client.get("/v1/leaderboards/invites", headers=MALL,
                      params={"limit": 0}).status_code == 422
    assert client.get("/v1/leaderboards/invites", headers=MALL,
                      params={"cursor": "bm90LWEtY3Vyc29y"}).status_code == 422
    assert client.get("/v1/leaderboards/invites", headers=auth("risk")).status_code == 403
