"""The second mall generator (pure): seeded, valid events, each setting plants what it says,
and labels the evaluation can trust."""

import hashlib
from collections import Counter, defaultdict
from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson
import pytest

from graph.ingest.events import Rejection, parse_event
from lab.worlds import HELD_OUT, NAMED, TUNE, WorldSettings, generate_world, write_world
from lab.worlds.settings import FRAUD_SIZES, GROUP_KINDS
from tests.lab.graph_rules import assert_follows_graph_rules

USERS = 4_000
# sha256 of generate_world(NAMED["baseline"], 600, 7) as orjson with sorted keys; a
# deliberate change to the generated worlds updates it.
PINNED_DIGEST = "6f1ebef0d990c21fed6bb1666324b92f90ad42737696f13701a433c186a1b5ff"


@lru_cache
def world(name: str, users: int = USERS, seed: int = 3) -> tuple[list[dict], dict]:
    return generate_world(NAMED[name], users, seed)


def test_same_seed_same_world_other_seed_other_world():
    settings = NAMED["families"]
    assert generate_world(settings, 800, 9) == generate_world(settings, 800, 9)
    assert generate_world(settings, 800, 9)[0] != generate_world(settings, 800, 10)[0]


def test_a_seed_keeps_its_world():
    """Pinned across processes: nothing may depend on hash order or the clock."""
    digest = hashlib.sha256(orjson.dumps(generate_world(NAMED["baseline"], 600, 7),
                                         option=orjson.OPT_SORT_KEYS))
    assert digest.hexdigest() == PINNED_DIGEST


def test_named_settings_are_distinct_and_split():
    assert len(NAMED) >= 6
    assert 2 <= len(TUNE) <= 3
    assert set(TUNE) | set(HELD_OUT) == set(NAMED) and not set(TUNE) & set(HELD_OUT)
    knobs = [tuple(sorted((k, str(v)) for k, v in vars(s).items() if k != "name"))
             for s in NAMED.values()]
    assert len(set(knobs)) == len(knobs)


@pytest.mark.parametrize("name", ["dense_nat", "promotion_season"])
def test_every_event_is_valid_and_follows_the_graph_rules(name):
    events, _ = world(name)
    assert not [p for n, e in enumerate(events)
                if isinstance(p := parse_event(n, e), Rejection)][:3]
    times = [datetime.fromisoformat(e["at"]).timestamp() for e in events]
    assert times == sorted(times)
    assert_follows_graph_rules(events)


def _planned(settings: WorldSettings, kind: str, users: int) -> int:
    """The fraudulent accounts budgeted for a kind (as lab.worlds.fraud.plan does)."""
    share = settings.mix.get(kind, 0.0)
    if share <= 0:
        return 0
    fraud = round(users * settings.fraud_share)
    return max(FRAUD_SIZES[kind][0], round(fraud * share / sum(settings.mix.values())))


def _people(events: list[dict[str, Any]]) -> int:
    return sum(1 for e in events if e["type"] == "user_registered")


@pytest.mark.parametrize("name", sorted(NAMED))
def test_each_setting_plants_what_it_says(name):
    settings, (events, labels) = NAMED[name], world(name)
    assert _people(events) == USERS
    by_kind: Counter[str] = Counter()
    for ring in labels["rings"]:
        lo, hi = FRAUD_SIZES[ring["kind"]]
        assert lo <= len(ring["members"]) <= hi
        by_kind[ring["kind"]] += len(ring["members"])
    for kind, (lo, _) in FRAUD_SIZES.items():
        budget = _planned(settings, kind, USERS)
        assert budget - lo < by_kind[kind] <= budget, kind  # what is left under a ring is left
    honest = USERS - sum(by_kind.values())
    groups = labels["groups"]
    assert set(GROUP_KINDS) <= set(groups)

    def members(kind: str) -> int:
        return sum(len(g) for g in groups[kind])

    assert abs(members("household") - honest * settings.household_share) <= 0.02 * USERS
    assert all(2 <= len(h) <= 5 for h in groups["household"])  # 2-4 people, a shop account
    assert abs(members("nat") - honest * settings.nat_share) <= 0.02 * USERS
    promoted = sum(len(g) - 1 for g in groups["promotion"])
    assert honest * settings.promotion_intensity - 10 <= promoted \
        <= honest * settings.promotion_intensity + 1
    assert all(11 <= len(g) <= 41 for g in groups["promotion"])  # the promoter and 10-40
    assert abs(members("locker") - honest * settings.locker_share) <= 170
    assert len(groups["reseller"]) == round(honest * settings.reseller_share)
    assert len(groups["super_inviter"]) == min(settings.kols, honest // 100)
    assert all(len(g) >= 50 for g in groups["kol"])


def test_worlds_differ_where_their_settings_do():
    shares = {}
    for name in ("baseline", "dense_nat", "promotion_season", "locker_city"):
        _, labels = world(name)
        groups = labels["groups"]
        shares[name] = {kind: sum(len(g) for g in groups[kind]) for kind in GROUP_KINDS}
    assert shares["dense_nat"]["nat"] > 2 * shares["baseline"]["nat"]
    assert shares["promotion_season"]["promotion"] > 3 * shares["baseline"]["promotion"]
    assert shares["locker_city"]["locker"] > 2 * shares["baseline"]["locker"]


@pytest.mark.parametrize("name", ["baseline", "families"])
def test_labels_are_consistent(name):
    events, labels = world(name)
    users = {e["user_id"] for e in events if e["type"] == "user_registered"}
    rings = [set(r["members"]) for r in labels["rings"]]
    fraud = set().union(*rings)
    assert sum(map(len, rings)) == len(fraud) <= len(users)
    assert fraud <= users
    for kind, groups in labels["groups"].items():
        flat = groups if kind == "super_inviter" else [m for g in groups for m in g]
        assert set(flat) <= users - fraud, kind  # benign groups never hold ring members
    assert len({r["ring"] for r in labels["rings"]}) == len(rings)


def test_planted_behaviour_matches_the_kind():
    events, labels = world("baseline")
    inviter = {e["user_id"]: e.get("invited_by") for e in events
               if e["type"] == "user_registered"}
    used: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    first_device: dict[str, str] = {}
    for e in events:
        if e["type"] in ("session", "order_paid"):
            used[e["user_id"]]["device"].add(e["device_id"])
            first_device.setdefault(e["user_id"], e["device_id"])
        if e["type"] == "order_paid":
            used[e["user_id"]]["card"].add(e["payment_account"])
            used[e["user_id"]]["address"].add(e["shipping_address"])
    for ring in labels["rings"]:
        members = ring["members"]
        if ring["kind"] == "device_farm":  # all but the organiser: one device, card, address
            fakes = [m for m in members if inviter[m] in members]
            assert len(fakes) == len(members) - 1
            for what in ("device", "card", "address"):
                assert len(set().union(*(used[m][what] for m in fakes))) == 1
        if ring["kind"] == "self_referral":  # one invites the other; a phone or card shared
            assert any(inviter[m] in members for m in members)
            assert any(used[a]["device"] & used[b]["device"] or used[a]["card"] & used[b]["card"]
                       for a in members for b in members if a < b)
    for promoter, *signed_up in labels["groups"]["promotion"]:
        assert all(inviter[m] == promoter for m in signed_up)
        assert len({first_device[m] for m in signed_up}) == 1  # the promoter's phone
    for kol, *followers in labels["groups"]["kol"]:
        assert all(inviter[m] == kol for m in followers)


def test_write_world(tmp_path):
    events_path, labels_path = write_world(NAMED["baseline"], 600, 3, tmp_path)
    lines = events_path.read_bytes().splitlines()
    assert [orjson.loads(line) for line in lines] == generate_world(NAMED["baseline"], 600, 3)[0]
    assert orjson.loads(labels_path.read_bytes())["rings"]
