"""The signal maths, without the graph: facts in, codes, sentences, evidence and score out."""

from graph.risk import signals

DAY = 86_400


def facts(**extra):
    base = {"user_id": "u9", "registered_at": 100 * DAY, "inviter": "u1",
            "upline": ["u1"], "upline_registered": [10 * DAY], "devices": [],
            "shared_with_inviter": [], "early_orders": [], "hold_ring": None,
            "risk_confirmed": None, "risk_cleared": None}
    return {**base, **extra}


def codes(found):
    return [s.code for s in found]


def test_an_ordinary_user_has_no_signal_and_scores_zero():
    found = signals.cheap_signals(facts(devices=[{"id": "tablet", "users": 3}]))
    assert found == [] and signals.score(found) == 0.0


def test_a_household_trips_self_referral_alone_and_stays_under_the_hold_score():
    found = signals.cheap_signals(facts(shared_with_inviter=["device:tablet", "address:home"]))
    assert codes(found) == ["self_referral"]
    assert found[0].evidence == ["user:u1", "address:home", "device:tablet"]
    assert signals.score(found) == 0.4 < 0.7


def test_a_device_farm_with_a_self_referral_reaches_the_hold_score():
    found = signals.cheap_signals(facts(
        devices=[{"id": "farm1", "users": 14}, {"id": "farm2", "users": 11},
                 {"id": "home", "users": 2}],
        shared_with_inviter=["device:farm1"]))
    assert codes(found) == ["device_farm", "self_referral"]
    assert found[0].detail == "device farm1 is used by 14 accounts"
    assert found[0].evidence == ["device:farm1", "device:farm2"]
    assert signals.score(found) == 0.76  # 1 - 0.4 * 0.6


def test_a_large_order_soon_after_registering_names_the_earliest_one():
    found = signals.cheap_signals(facts(early_orders=[
        {"id": "o2", "amount_cents": 250_000, "after_seconds": 7200},
        {"id": "o1", "amount_cents": 120_000, "after_seconds": 600},
        {"id": "o3", "amount_cents": 900, "after_seconds": 60}]))
    assert codes(found) == ["new_account_large_order"]
    assert found[0].detail == "order o1 of 120000 cents came 10 minutes after registering"
    assert found[0].evidence == ["order:o1", "order:o2"]


def test_new_account_chain_needs_three_fresh_accounts_under_an_older_organiser():
    fresh = [100 * DAY - 3600, 100 * DAY - 7200, 20 * DAY]
    assert signals.new_account_chain(100 * DAY, fresh)
    assert not signals.new_account_chain(100 * DAY, fresh[:2])  # no organiser above
    assert not signals.new_account_chain(100 * DAY, [100 * DAY - 3 * DAY, *fresh[1:]])
    assert not signals.new_account_chain(100 * DAY, [*fresh[:2], 100 * DAY - 100])
    found = signals.cheap_signals(facts(upline=["a", "b", "boss"], upline_registered=fresh))
    assert codes(found) == ["new_account_chain"]
    assert found[0].evidence == ["user:a", "user:b", "user:boss"]


def test_invite_velocity_and_ip_bursts_from_activity():
    times = [DAY + 60 * n for n in range(25)] + [5 * DAY]
    activity = {"invitee_times": times, "invitees": [f"v{n}" for n in range(26)],
                "ip_bursts": [{"ip": "203.0.113.9", "accounts": [f"x{n}" for n in range(12)]},
                              {"ip": "198.51.100.1", "accounts": ["y"]}]}
    found = signals.activity_signals("boss", activity)
    assert codes(found) == ["invite_velocity", "ip_burst"]
    assert found[0].detail == "boss invited 25 accounts within 24 hours"
    assert found[0].evidence == [f"user:v{n}" for n in range(25)]
    assert found[1].evidence == ["ip:203.0.113.9"]


def test_an_order_burst_on_an_ip_is_one_ip_burst_signal_with_the_orders():
    quiet = {"invitee_times": [], "invitees": [], "ip_bursts": []}
    burst = {"ip": "203.0.113.9", "buyers": [f"b{n}" for n in range(10)],
             "orders": [f"o{n}" for n in range(11)]}
    found = signals.activity_signals("u", {**quiet, "order_bursts": [burst]})
    assert codes(found) == ["ip_burst"]
    assert found[0].detail == ("11 orders by 10 other accounts came from IP 203.0.113.9 within "
                               "an hour of one of its orders")
    assert found[0].evidence == ["ip:203.0.113.9", *sorted(f"order:o{n}" for n in range(11))]
    few = {**burst, "buyers": burst["buyers"][:9]}
    assert signals.activity_signals("u", {**quiet, "order_bursts": [few]}) == []
    both = signals.activity_signals("u", {**quiet, "order_bursts": [burst], "ip_bursts": [
        {"ip": "203.0.113.9", "accounts": [f"x{n}" for n in range(12)]}]})
    assert codes(both) == ["ip_burst"] and signals.score(both) == 0.3
    assert both[0].detail.startswith("12 other accounts appeared on IP 203.0.113.9")
    assert both[0].evidence[0] == "ip:203.0.113.9" and both[0].evidence.count("ip:203.0.113.9") == 1


def test_max_in_window_counts_the_densest_stretch():
    assert signals.max_in_window([], 10) == (0, 0)
    assert signals.max_in_window([0, 5, 11, 12, 13, 30], 10) == (4, 1)
