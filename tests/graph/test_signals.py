"""The signal maths, without the graph: facts in, codes, sentences, evidence and score out."""

from graph.risk import signals

DAY = 86_400


def facts(**extra):
    base = {"user_id": "u9", "registered_at": 100 * DAY, "inviter": "u1",
            "upline": ["u1"], "upline_registered": [10 * DAY], "devices": [],
            "shared_with_inviter": [], "early_orders": [], "hold_ring": None,
            "shared_payment_accounts": [], "shared_addresses": [],
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


def test_a_device_farm_lists_the_other_accounts_when_the_page_read_them():
    devices = [{"id": "farm1", "users": 12}, {"id": "farm2", "users": 10}]
    accounts = {"farm1": ["c", "a"], "farm2": ["a", "b"], "home": ["z"]}
    [farm] = signals.cheap_signals(facts(devices=devices), accounts)
    assert farm.evidence == ["device:farm1", "device:farm2", "user:a", "user:b", "user:c"]
    assert signals.cheap_signals(facts(devices=devices))[0].evidence == [
        "device:farm1", "device:farm2"]  # the rebate path reads no accounts


def farm(n: int, card: str = "card", place: str = "flat", at_address: int | None = None):
    """Facts of a user whose card and address n other accounts share."""
    others = [f"f{k:02d}" for k in range(n)]
    return facts(shared_payment_accounts=[{"id": card, "others": others}],
                 shared_addresses=[{"id": place, "linked": others,
                                    "accounts": n if at_address is None else at_address}])


def test_a_card_and_an_address_shared_by_the_same_accounts_hold_together():
    found = signals.cheap_signals(farm(7))
    assert codes(found) == ["shared_payment_account", "shared_address"]
    others = [f"user:f{k:02d}" for k in range(7)]
    assert found[0].detail == "payment account card is used by 7 other accounts too"
    assert found[0].evidence == ["payment_account:card", *others]
    assert found[1].detail == "7 of the 7 other accounts shipping to address flat share its " \
                              "payment account"
    assert found[1].evidence == ["address:flat", *others]
    assert signals.score(found) == 0.75 >= 0.7
    assert signals.score(found[:1]) == 0.5 < 0.7  # a card alone: a reseller, a parent


def test_a_household_shares_too_few_and_a_locker_too_thinly():
    assert signals.cheap_signals(farm(signals.SHARED_OTHERS - 1)) == []
    # six on a company card among forty at an office: the card shows, the address does not
    office = signals.cheap_signals(farm(6, at_address=40))
    assert codes(office) == ["shared_payment_account"] and signals.score(office) < 0.7
    # half of the address's other accounts on the card is still concentrated
    assert codes(signals.cheap_signals(farm(6, at_address=12)))[-1] == "shared_address"
    # an address never counts without a shared card
    alone = facts(shared_addresses=[{"id": "flat", "linked": ["a"] * 9, "accounts": 9}])
    assert signals.cheap_signals(alone) == []


def test_shared_evidence_is_capped_and_a_full_read_says_or_more():
    found = signals.cheap_signals(farm(signals.SHARED_READ_CAP))
    assert found[0].detail == "payment account card is used by 100 or more other accounts too"
    assert len(found[0].evidence) == 1 + signals.EVIDENCE_ACCOUNTS
    assert found[1].detail.startswith("100 of the 100 or more other accounts")
