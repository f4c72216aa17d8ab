"""A community's score and reason codes (pure)."""

import math

import pytest

from graph.risk.projection import Projection, Usage, UserInfo
from graph.risk.scoring import (
    BIAS,
    CREDIT_SECONDS,
    WEIGHTS,
    features_of,
    reasons_of,
    rounds_of,
    score_of,
)
from graph.risk.user_graph import Index, build_user_graph, shared_groups

DAY = 86_400.0


def test_reasons_are_the_features_at_their_level_and_the_score_is_logistic():
    assert score_of({}) == pytest.approx(1 / (1 + math.exp(BIAS)))
    features = {"dense_shared_devices": 1.0, "synchronised_orders": 0.3, "isolated": 1.0,
                "new_accounts": 0.4}
    assert reasons_of(features) == ["dense_shared_devices", "synchronised_orders"]
    z = sum(WEIGHTS[name] * value for name, value in features.items()) - BIAS
    assert score_of(features) == pytest.approx(1 / (1 + math.exp(-z)))


def test_refunds_count_as_late_after_the_default_return_window_and_settlement_delay():
    assert CREDIT_SECONDS == (7 + 1) * 86_400


def _features(users: dict[str, UserInfo], usages: list[Usage],
              members: str | None = None) -> dict[str, float]:
    projection = Projection(users=users, usages=usages, orders=[])
    index = Index(projection)
    groups = shared_groups(projection, index)
    touching: dict[int, list[int]] = {}
    for g, group in enumerate(groups):
        for uid, _, _, _ in group.uses:
            touching.setdefault(uid, []).append(g)
    part = sorted(index.ids[u] for u in members) if members else sorted(index.ids.values())
    return features_of(part, groups, touching, index, build_user_graph(groups, index))


def test_accounts_that_never_leave_the_shared_phone_stay_shared_and_invited_inside():
    users = {"a": UserInfo(0.0, None), "b": UserInfo(DAY, "a")}
    usages = [Usage("a", "device", "phone", 0.0, 9 * DAY, 5),
              Usage("b", "device", "phone", DAY, 5 * DAY, 3)]
    features = _features(users, usages)
    assert features["stays_shared"] == 1.0
    assert features["invited_inside"] == 1.0


def test_people_signed_up_on_one_phone_who_move_on_to_their_own_do_not_stay_shared():
    users = {u: UserInfo(0.0, "promoter") for u in ("a", "b", "c")}
    usages = [Usage(u, "device", "promoter-phone", 0.0, 600.0, 1) for u in users]
    usages += [Usage(u, "device", f"own-{u}", 3 * DAY, 20 * DAY, 4) for u in users]
    features = _features(users, usages)
    assert features["stays_shared"] == 0.0
    assert features["invited_inside"] == 0.0


def test_a_phone_shared_at_sign_up_only_is_not_shared_after_sign_up():
    users = {"promoter": UserInfo(-9 * DAY, None), "a": UserInfo(0.0, "promoter"),
             "b": UserInfo(60.0, "promoter")}
    usages = [Usage("promoter", "device", "phone", -9 * DAY, 20 * DAY, 30),
              Usage("a", "device", "phone", 0.0, 600.0, 1),
              Usage("b", "device", "phone", 60.0, 900.0, 1)]
    assert _features(users, usages)["shared_after_signup"] == pytest.approx(1 / 3)
    later = [*usages[:2], Usage("b", "device", "phone", 60.0, 5 * DAY, 4)]
    # a moved on; b kept using the promoter's phone for days
    assert _features(users, later)["shared_after_signup"] == pytest.approx(2 / 3)


def test_a_drop_is_an_address_most_of_whose_users_are_members_not_a_locker():
    users = {u: UserInfo(0.0, None) for u in ("a", "b", "c", "d", "e")}
    drop = [Usage(u, "address", "drop", 0.0, 10.0, 1) for u in ("a", "b")]
    locker = [Usage(u, "address", "locker", 0.0, 10.0, 1) for u in ("a", "b", "c", "d", "e")]
    phone = [Usage(u, "device", "phone", 0.0, 10.0, 1) for u in ("a", "b")]
    assert _features(users, drop + phone, members="ab")["own_drop"] == 1.0
    # the two members are two of the locker's five users: a locker, not their drop
    assert _features(users, locker + phone, members="ab")["own_drop"] == 0.0


def test_a_feature_that_lowers_the_score_is_never_a_reason():
    lowering = [name for name, weight in WEIGHTS.items() if weight <= 0]
    assert lowering, "the fitted weights have features honest groups show more than rings"
    assert not set(reasons_of(dict.fromkeys(WEIGHTS, 1.0))) & set(lowering)


def test_a_second_account_on_the_first_ones_card_is_dependent_a_family_member_is_not():
    users = {"first": UserInfo(0.0, None), "second": UserInfo(2 * DAY, "first")}
    card = [Usage("first", "payment_account", "card", 0.0, 9 * DAY, 3),
            Usage("second", "payment_account", "card", 2 * DAY, 8 * DAY, 2)]
    own = [Usage("first", "device", "phone-1", 0.0, 9 * DAY, 6),
           Usage("second", "device", "old-phone", 2 * DAY, 8 * DAY, 5)]
    second = _features(users, card + own)
    # every payment of the second account is on the first one's card, on a phone of its own
    assert second["dependent_accounts"] == 1.0
    assert second["invited_within_days"] == 1.0
    family = {"mother": UserInfo(0.0, None), "son": UserInfo(60 * DAY, "mother")}
    shared = [Usage("mother", "payment_account", "family-card", 0.0, 90 * DAY, 4),
              Usage("son", "payment_account", "family-card", 60 * DAY, 80 * DAY, 1),
              Usage("son", "payment_account", "own-card", 60 * DAY, 90 * DAY, 3),
              Usage("son", "device", "own-phone", 60 * DAY, 90 * DAY, 8)]
    son = _features(family, shared)
    assert son["dependent_accounts"] == pytest.approx(0.25)
    assert son["invited_within_days"] == 0.0


def test_buying_together_again_and_again_makes_rounds_one_day_of_deals_does_not():
    def round_on(day: int) -> list[tuple[float, int]]:
        return [(day * DAY + 60.0 * n, n) for n in range(3)]

    assert rounds_of(round_on(3)) == 0.0  # a promotion's deal day
    assert rounds_of(round_on(3) + round_on(10) + round_on(17) + round_on(24)) == 1.0
    assert rounds_of([(DAY + n, n % 2) for n in range(6)]) == 0.0  # a couple is not a round

