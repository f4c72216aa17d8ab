"""A community's score and reason codes (pure)."""

import math

import pytest

from graph.risk.projection import Projection, Usage, UserInfo
from graph.risk.scoring import BIAS, CREDIT_SECONDS, WEIGHTS, features_of, reasons_of, score_of
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
