"""Shared cards, addresses and devices on the user page, against the real services: a farm of
accounts on one card and address is shown with those accounts and held at birth; a parcel
locker's buyers, a household, an office's company card and a promotion on one phone are not."""

from collections.abc import Callable
from typing import Any

from tests.conftest import auth
from tests.factories import make_order, make_session, make_user

Ids = Callable[[str], str]


def _post(client: Any, events: list[dict[str, Any]]) -> None:
    answer = client.post("/v1/events", json=events, headers=auth("mall")).json()
    assert answer["rejected"] == [], answer


def _view(client: Any, user_id: str) -> dict[str, Any]:
    return client.get(f"/v1/risk/users/{user_id}", headers=auth("risk")).json()


def _statuses(client: Any, order_id: str) -> set[str]:
    out = client.post(f"/v1/orders/{order_id}/payouts", headers=auth("mall")).json()
    assert out["rebates"], out
    return {r["status"] for r in out["rebates"]}


def _codes(view: dict[str, Any]) -> set[str]:
    return {s["code"] for s in view["signals"]}


def test_a_member_of_an_eight_account_farm_shows_the_others_and_is_held(client, ids):
    organiser, phone, card, flat = ids("boss"), ids("phone"), ids("card"), ids("flat")
    farm = [ids(f"f{n}") for n in range(8)]
    events = [make_user(organiser, at="2025-06-01T10:00:00+08:00")]
    events += [make_user(u, organiser, at=f"2026-03-01T1{n}:00:00+08:00")
               for n, u in enumerate(farm)]
    events += [make_session(u, phone, "198.18.20.1") for u in farm]
    events += [make_order(ids(f"o{n}"), u, payment_account=card, shipping_address=flat,
                          device_id=phone, at=f"2026-03-02T1{n}:00:00+08:00")
               for n, u in enumerate(farm)]
    _post(client, events)

    member = farm[3]
    others = sorted(f"user:{u}" for u in farm if u != member)
    view = _view(client, member)
    signals = {s["code"]: s for s in view["signals"]}
    assert set(signals) == {"shared_payment_account", "shared_address"}
    assert signals["shared_payment_account"]["evidence"] == [f"payment_account:{card}", *others]
    assert signals["shared_payment_account"]["detail"] == (
        f"payment account {card} is used by 7 other accounts too")
    assert signals["shared_address"]["evidence"] == [f"address:{flat}", *others]
    assert signals["shared_address"]["detail"] == (
        f"7 of the 7 other accounts shipping to address {flat} share its payment account")
    assert view["score"] >= 0.7 and view["hold_score"] >= 0.7
    assert view["hold"] == f"signals:{member}"
    assert _statuses(client, ids("o3")) == {"held"}


def test_a_device_farm_lists_its_accounts_and_a_promotion_alone_is_not_held(client, ids):
    # A promoter registers twelve strangers on his phone; each then pays with its own card
    # and ships to its own address: the device shows, with the accounts, and nothing holds.
    promoter, phone = ids("promoter"), ids("phone")
    people = [ids(f"p{n:02d}") for n in range(12)]
    events = [make_user(promoter, at="2025-01-01T10:00:00+08:00")]
    events += [make_user(u, promoter, at=f"2026-03-01T10:{n:02d}:00+08:00")
               for n, u in enumerate(people)]
    events += [make_session(u, phone, "198.18.21.1") for u in people]
    events += [make_order(ids(f"o{n}"), u, payment_account=ids(f"card{n}"),
                          shipping_address=ids(f"home{n}"), at="2026-03-03T10:00:00+08:00")
               for n, u in enumerate(people)]
    _post(client, events)

    view = _view(client, people[0])
    farm = next(s for s in view["signals"] if s["code"] == "device_farm")
    assert farm["evidence"] == [f"device:{phone}", *sorted(f"user:{u}" for u in people[1:])]
    assert "12 accounts" in farm["detail"]
    # the page also sees the promotion's burst on one IP; births read only the device
    assert _codes(view) <= {"device_farm", "ip_burst"}
    assert view["hold_score"] < 0.7 and view["hold"] is None
    assert _statuses(client, ids("o0")) == {"pending"}


def test_a_parcel_lockers_buyers_and_a_household_in_it_are_not_held(client, ids):
    kol, locker = ids("kol"), ids("locker")
    buyers = [ids(f"b{n:02d}") for n in range(30)]
    household = [ids("mother"), ids("son"), ids("daughter")]
    events = [make_user(kol, at="2024-01-01T10:00:00+08:00")]
    events += [make_user(u, kol, at=f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}T10:00:00+08:00")
               for n, u in enumerate(buyers)]
    events += [make_user(household[0], kol, at="2025-02-01T10:00:00+08:00"),
               make_user(household[1], household[0], at="2025-03-01T10:00:00+08:00"),
               make_user(household[2], household[1], at="2025-04-01T10:00:00+08:00")]
    events += [make_session(u, ids(f"phone{n}"), f"198.18.22.{n}") for n, u in enumerate(buyers)]
    events += [make_session(u, ids("tablet"), "198.18.23.1") for u in household]
    events += [make_order(ids(f"o{n}"), u, payment_account=ids(f"card{n}"),
                          shipping_address=locker, at=f"2026-03-{1 + n % 28:02d}T10:00:00+08:00")
               for n, u in enumerate(buyers)]
    events += [make_order(ids(f"h{n}"), u, payment_account=ids("family-card"),
                          shipping_address=locker, at="2026-03-05T10:00:00+08:00")
               for n, u in enumerate(household)]
    _post(client, events)

    for user in (buyers[0], buyers[17], *household):
        view = _view(client, user)
        assert not _codes(view) & {"shared_payment_account", "shared_address"}, view
        assert view["hold"] is None and view["hold_score"] < 0.7
    assert _codes(_view(client, household[1])) == {"self_referral"}
    assert _statuses(client, ids("o5")) == {"pending"}
    assert _statuses(client, ids("h1")) == {"pending"}


def test_an_office_company_card_shows_but_the_busy_office_address_does_not(client, ids):
    # Six colleagues pay with the company card; forty people ship to the office.
    boss, office, company = ids("boss"), ids("office"), ids("company-card")
    staff = [ids(f"s{n:02d}") for n in range(40)]
    events = [make_user(boss, at="2024-01-01T10:00:00+08:00")]
    events += [make_user(u, boss, at=f"2025-{1 + n % 12:02d}-01T1{n % 10}:00:00+08:00")
               for n, u in enumerate(staff)]
    events += [make_order(ids(f"o{n}"), u, shipping_address=office,
                          payment_account=company if n < 6 else ids(f"card{n}"),
                          at="2026-03-02T10:00:00+08:00") for n, u in enumerate(staff)]
    _post(client, events)

    view = _view(client, staff[0])
    assert _codes(view) == {"shared_payment_account"}
    card = view["signals"][0]
    assert card["evidence"] == [f"payment_account:{company}",
                                *sorted(f"user:{u}" for u in staff[1:6])]
    assert view["hold"] is None and view["score"] < 0.7
    assert _statuses(client, ids("o0")) == {"pending"}
