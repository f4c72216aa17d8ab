"""Ring detection on small malls: a planted farm, a household, a NAT, determinism (pure)."""

from datetime import UTC, datetime, timedelta

import pytest

from graph.risk.communities import detect
from graph.risk.projection import linked_part, projection_from_events
from graph.risk.user_graph import MAX_SHARE
from lab.evaluation import match_rings
from lab.fraudgen import generate_mall
from lab.worlds import generate_world
from lab.worlds.settings import NAMED
from tests.factories import make_order, make_session, make_user

T0 = datetime(2026, 3, 10, 12, tzinfo=UTC)


def at(hours: float) -> str:
    return (T0 + timedelta(hours=hours)).isoformat()


def order(order_id: str, user: str, hours: float, device: str, ip: str, account: str,
          address: str, cents: int = 12900) -> dict:
    return make_order(order_id, user, [("beauty", cents)], at=at(hours), device_id=device, ip=ip,
                      payment_account=account, shipping_address=address)


def small_mall() -> list[dict]:
    """40 ordinary users behind one NAT, a household of three, and a farm of ten."""
    events = []
    for n in range(40):
        user = f"b{n:02d}"
        events.append(make_user(user, f"b{n - 1:02d}" if n % 4 else None, at=at(-2000 + n)))
        for k in range(3):
            events.append(make_session(user, f"d-{user}", "202.0.0.1", at(24 * n + k)))
        events.append(order(f"o-{user}", user, 24 * n + 5, f"d-{user}", f"36.0.0.{n}", f"pa-{user}",
                            f"ad-{user}"))
    # A household: three people months apart, a tablet now and then, one home and its IP.
    for n, (user, inviter) in enumerate((("h1", None), ("h2", "h1"), ("h3", "h2"))):
        events.append(make_user(user, inviter, at=at(-3000 + 900 * n)))
        for k in range(4):
            device = "tab-home" if k == 0 else f"d-{user}"
            events.append(make_session(user, device, "36.1.1.1", at(100 * n + 30 * k)))
        events.append(order(f"o-{user}", user, 100 * n + 200, f"d-{user}", "36.1.1.1", f"pa-{user}",
                            "ad-home"))
    # The farm: an organiser and nine fakes on two emulators, chained three deep.
    events.append(make_user("r0", "b07", at=at(-1500)))
    events.append(make_session("r0", "emu-1", "45.0.0.9", at(-1)))
    for n in range(1, 10):
        user, inviter = f"r{n}", "r0" if n <= 3 else f"r{(n - 1) // 3}"
        device = f"emu-{n % 2}"
        events.append(make_user(user, inviter, at=at(n / 10)))
        events.append(make_session(user, device, "45.0.0.9", at(n / 10 + 0.05)))
        events.append(order(f"o-{user}", user, 2 + n / 20, device, "45.0.0.9", "pa-farm", "ad-farm",
                            cents=1990))
    events.sort(key=lambda e: datetime.fromisoformat(e["at"]))
    return events


@pytest.fixture(scope="module")
def rings():
    return detect(projection_from_events(small_mall()), seed=1)


def test_the_planted_farm_is_found_with_reasons(rings):
    farm = {f"r{n}" for n in range(10)}
    best = max(rings, key=lambda r: len(farm & set(r.members)))
    assert len(farm & set(best.members)) >= 9 and set(best.members) <= farm
    assert best.score >= 0.7
    assert {"dense_shared_devices", "shared_payment_accounts", "stays_shared",
            "many_accounts"} <= set(best.reasons)
    assert best.members == sorted(best.members)
    assert 0.0 <= best.score <= 1.0 and all(0.0 <= v <= 1.0 for v in best.features.values())


def test_the_household_and_the_nat_are_not_flagged(rings):
    flagged = {m for r in rings if r.score >= 0.7 for m in r.members}
    assert not flagged & {"h1", "h2", "h3"}
    assert not any(m.startswith("b") for m in flagged)
    assert all(len(r.members) >= 2 and r.reasons for r in rings)


def test_detection_is_deterministic():
    events, _ = generate_mall(3_000, 4)
    first = detect(projection_from_events(events), seed=3)
    again = detect(projection_from_events(list(events)), seed=3)
    assert first == again and first
    seen = []
    detect(projection_from_events(events), seed=3, progress=lambda stage, f: seen.append(stage))
    assert seen[0] == "index" and seen[-1] == "done"


def test_leiden_is_seeded_and_finds_the_planted_rings():
    events, labels = generate_mall(3_000, 4)
    truth = [r["members"] for r in labels["rings"]]
    first = detect(projection_from_events(events), seed=3, algorithm="leiden")
    again = detect(projection_from_events(list(events)), seed=3, algorithm="leiden")
    assert first == again and first
    flagged = [r.members for r in first if r.score >= 0.7]
    louvain = [r.members for r in detect(projection_from_events(events), seed=3)
               if r.score >= 0.7]
    matched = match_rings(flagged, truth)
    assert matched and all(overlap > 0.5 for _, _, overlap in matched)
    assert len(matched) >= len(match_rings(louvain, truth)) - 1



def test_a_second_account_inside_a_family_is_its_own_community():
    """A son's second account, on his phone and card and invited by him two days after he
    joined, is not merged with the family whose tablet, home and card he shares."""
    events = []
    family = (("mother", None, -2000.0), ("father", "mother", -1500.0), ("son", "mother", 0.0),
              ("son-2", "son", 48.0))
    for user, inviter, hours in family:
        events.append(make_user(user, inviter, at=at(hours)))
    for n, (user, _, _) in enumerate(family[:3]):
        for k in range(6):  # own phone, the family tablet now and then, the home line
            device = "tablet" if k % 3 == 0 else f"phone-{user}"
            events.append(make_session(user, device, "36.1.1.1", at(100 + 10 * n + 24 * k)))
            card = "family-card" if k % 3 == 0 else f"card-{user}"
            events.append(order(f"o-{user}-{k}", user, 101 + 10 * n + 24 * k, device, "36.1.1.1",
                                card, "home"))
    for k in range(3):  # the second account lives on the son's phone and card
        events.append(make_session("son-2", "phone-son", "36.1.1.1", at(60 + 30 * k)))
        events.append(order(f"o-son-2-{k}", "son-2", 61 + 30 * k, "phone-son", "36.1.1.1",
                            "card-son", "home", cents=1990))
    events.sort(key=lambda e: datetime.fromisoformat(e["at"]))
    rings = detect(projection_from_events(events), seed=1)
    assert ["son", "son-2"] in [r.members for r in rings]
    assert not any({"son-2", "mother"} <= set(r.members) for r in rings)


@pytest.mark.parametrize("mall", ["fraudgen", "locker_city", "dense_nat"])
def test_the_part_of_the_graph_detection_can_link_finds_what_the_whole_finds(mall):
    """The job reads only the users of identifiers shared by 2..MAX_SHARE users, and their
    uplines: the same rings, scores and features as the whole graph, from far fewer users."""
    events = (generate_mall(4000, 2)[0] if mall == "fraudgen"
              else generate_world(NAMED[mall], 4000, 2)[0])
    whole = projection_from_events(events)
    part = linked_part(whole, MAX_SHARE, 3)

    found = detect(part, seed=1)

    assert len(part.users) < 0.8 * len(whole.users)
    assert found and [(r.members, r.score, r.features) for r in found] == [
        (r.members, r.score, r.features) for r in detect(whole, seed=1)]


def test_communities_shared_out_among_processes_are_those_of_one(monkeypatch):
    """From PARALLEL_FROM components on, a forked process takes half of them: the same
    rings, scores and features, in the same order."""
    from graph.risk import communities

    whole = projection_from_events(generate_mall(4000, 3)[0])
    alone = detect(whole, seed=1, processes=1)
    monkeypatch.setattr(communities, "PARALLEL_FROM", 1)

    shared = detect(whole, seed=1, processes=2)

    assert alone and [(r.members, r.score, r.features) for r in shared] == [
        (r.members, r.score, r.features) for r in alone]
