"""Pair weights of the user-user graph: rarity and closeness in time; one person's chains of
accounts (pure)."""

import pytest

from graph.risk.projection import Projection, Usage, UserInfo
from graph.risk.user_graph import (
    MAX_SHARE,
    Index,
    build_user_graph,
    closeness,
    dependent_chains,
    identifier_weight,
    shared_groups,
)


def test_a_nat_ip_weighs_almost_nothing_and_a_small_shared_device_a_lot():
    assert identifier_weight("ip", 2_000) == 0.0  # skipped: more users than MAX_SHARE
    assert identifier_weight("ip", MAX_SHARE) < 0.005
    assert identifier_weight("device", 5) == pytest.approx(0.25)
    assert identifier_weight("device", 2) == 1.0
    assert identifier_weight("device", 1) == 0.0
    day = 86_400
    assert closeness(0, day, day / 2, 2 * day) == 1.0
    assert closeness(0, 0, 90 * day, 90 * day) < 0.05


def test_only_a_shared_device_or_payment_account_makes_a_strong_pair():
    users = {u: UserInfo(0.0, None) for u in "abcd"}
    usages = [Usage("a", "device", "phone", 0.0, 10.0, 2),
              Usage("b", "device", "phone", 0.0, 10.0, 2),
              Usage("b", "payment_account", "card", 0.0, 10.0, 1),
              Usage("c", "payment_account", "card", 0.0, 10.0, 1),
              Usage("c", "address", "home", 0.0, 10.0, 1),
              Usage("d", "address", "home", 0.0, 10.0, 1),
              Usage("c", "ip", "line", 0.0, 10.0, 1), Usage("d", "ip", "line", 0.0, 10.0, 1)]
    projection = Projection(users=users, usages=usages, orders=[])
    index = Index(projection)
    graph = build_user_graph(shared_groups(projection, index), index)
    ids = index.ids
    assert graph.strong == {(ids["a"], ids["b"]), (ids["b"], ids["c"])}
    assert (ids["c"], ids["d"]) in graph.id_edges


DAY = 86_400.0


def _chains(users: dict[str, UserInfo], usages: list[Usage]) -> list[list[str]]:
    projection = Projection(users=users, usages=usages, orders=[])
    index = Index(projection)
    graph = build_user_graph(shared_groups(projection, index), index)
    return [[index.names[u] for u in chain]
            for chain in dependent_chains(shared_groups(projection, index), index, graph)]


def _family() -> tuple[dict[str, UserInfo], list[Usage]]:
    """Mother and son, months apart, each on a phone and a card of their own, sharing the
    tablet and the home address; the son also uses the family card now and then."""
    users = {"mother": UserInfo(0.0, None), "son": UserInfo(60 * DAY, "mother")}
    usages = [Usage("mother", "device", "phone-m", 0.0, 90 * DAY, 8),
              Usage("mother", "device", "tablet", 0.0, 90 * DAY, 2),
              Usage("son", "device", "phone-s", 60 * DAY, 90 * DAY, 8),
              Usage("son", "device", "tablet", 60 * DAY, 90 * DAY, 2),
              Usage("mother", "payment_account", "card-m", 0.0, 90 * DAY, 3),
              Usage("son", "payment_account", "card-s", 60 * DAY, 90 * DAY, 3),
              Usage("son", "payment_account", "family-card", 60 * DAY, 90 * DAY, 1),
              Usage("mother", "payment_account", "family-card", 0.0, 90 * DAY, 1)]
    usages += [Usage(u, "address", "home", 0.0, 90 * DAY, 2) for u in users]
    return users, usages


def test_a_second_account_on_the_first_ones_phone_is_a_chain_apart_from_the_family():
    users, usages = _family()
    # the son's second account, made two days after the first, on his phone and card
    users["son"] = UserInfo(80 * DAY, "mother")
    users["son-2"] = UserInfo(82 * DAY, "son")
    usages += [Usage("son-2", "device", "phone-s", 82 * DAY, 88 * DAY, 4),
               Usage("son-2", "payment_account", "card-s", 82 * DAY, 88 * DAY, 2),
               Usage("son-2", "address", "home", 82 * DAY, 88 * DAY, 2)]
    assert _chains(users, usages) == [["son", "son-2"]]


def test_family_members_on_their_own_phones_and_cards_make_no_chain():
    users, usages = _family()
    assert _chains(users, usages) == []
    # nor when signed up within a week of each other: the son lives on his own phone and card
    users["son"] = UserInfo(3 * DAY, "mother")
    assert _chains(users, usages) == []


def test_accounts_on_a_farm_phone_or_on_an_outsiders_card_make_no_chain():
    users = {"boss": UserInfo(0.0, None)}
    users |= {f"fake-{n}": UserInfo(DAY + n, "boss" if n == 0 else f"fake-{n - 1}")
              for n in range(5)}
    farm = [Usage(u, "device", "farm-phone", DAY, 9 * DAY, 3) for u in users]
    assert _chains(users, farm) == []  # the phone is a farm's: five accounts and more
    pair = {"first": UserInfo(0.0, None), "second": UserInfo(DAY, "first"),
            "stranger": UserInfo(0.0, None)}
    usages = [Usage("first", "device", "phone", 0.0, 9 * DAY, 6),
              Usage("second", "device", "phone", DAY, 9 * DAY, 6),
              Usage("second", "payment_account", "card-x", DAY, 9 * DAY, 2),
              Usage("stranger", "payment_account", "card-x", 0.0, 9 * DAY, 2)]
    assert _chains(pair, usages) == []  # the second pays with a card of someone outside
