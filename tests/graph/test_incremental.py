"""Incremental detection (pure): which runs are full, which users a write affects, and that
detecting only the touched components finds what a full run finds there while the rings
kept from the last run are what a full run finds elsewhere."""

from datetime import UTC, datetime, timedelta

import pytest

from graph.risk import incremental, schedule
from graph.risk.communities import components, detect
from graph.risk.incremental import FULL, INCREMENTAL, LastRun, choose_mode
from graph.risk.projection import (
    Projection,
    Usage,
    UserInfo,
    linked_part,
    projection_from_events,
)
from graph.risk.user_graph import MAX_SHARE, Index, build_user_graph, shared_groups
from lab.fraudgen import generate_mall

NOW = datetime(2026, 12, 5, 17, tzinfo=UTC)
LAST = LastRun(since=NOW - timedelta(days=1), seed=0, scorer="rules",
               full_at=NOW - timedelta(days=3))


@pytest.mark.parametrize(("last", "seed", "scorer", "full", "every", "mode", "why"), [
    (LAST, 0, "rules", True, 7, FULL, "asked"),
    (None, 0, "rules", False, 7, FULL, "first run"),
    (LAST, 1, "rules", False, 7, FULL, "seed changed"),
    (LAST, 0, "4", False, 7, FULL, "scorer changed"),
    (LAST, 0, "rules", False, 0, FULL, "every run is full"),
    (LAST, 0, "rules", False, 3, FULL, "last full run 3 days ago or more"),
    (LAST, 0, "rules", False, 4, INCREMENTAL, "since the last run"),
])
def test_a_run_is_full_when_asked_first_or_changed_and_once_in_a_while(
        last, seed, scorer, full, every, mode, why):
    assert choose_mode(last, seed, scorer, full, NOW, every) == (mode, why)


def _usage(user: str, kind: str, ident: str, uses: int = 1) -> Usage:
    return Usage(user, kind, ident, 1.0e9, 1.0e9 + 3600, uses)


def test_a_touched_user_affects_those_on_its_identifiers_that_can_weigh_and_its_invites():
    crowd = [f"c{n:03d}" for n in range(MAX_SHARE + 5)]  # a NAT: too many before and now
    farm = [f"f{n:03d}" for n in range(MAX_SHARE + 1)]  # a phone that just went over
    users = {name: UserInfo(1.0e9, None) for name in
             ["a", "b", "c", "lone", "inviter", "invitee", "b-invitee", *crowd, *farm]}
    users["a"] = UserInfo(1.0e9, "inviter")
    users["invitee"] = UserInfo(1.0e9, "a")
    users["b-invitee"] = UserInfo(1.0e9, "b")
    usages = [_usage("a", "device", "d-ab"), _usage("b", "device", "d-ab"),
              _usage("c", "device", "d-c"), _usage("lone", "ip", "ip-lone"),
              _usage("a", "ip", "ip-nat"),
              *(_usage(u, "ip", "ip-nat") for u in crowd),
              *(_usage(u, "device", "emu") for u in farm)]
    projection = Projection(users=users, usages=usages, orders=[])
    # a's device partner b; the invites of a and of b; not the crowd on a's NAT IP
    assert incremental.affected_users(projection, {"a"}) == {
        "a", "b", "inviter", "invitee", "b-invitee"}
    # farm[-1] took the emulator from 64 users to 65: every user on it lost its edge there
    assert incremental.affected_users(projection, {farm[-1]}) == set(farm)
    assert incremental.affected_users(projection, {"lone"}) == {"lone"}
    assert incremental.affected_users(projection, {"ghost"}) == set()  # written after the read


def _touched(events: list[dict]) -> set[str]:
    """The users the events write: who registered, had a session, ordered or was refunded."""
    return {e["user_id"] for e in events if "user_id" in e}


@pytest.fixture(scope="module")
def mall() -> tuple[list[dict], dict[str, str]]:
    events, _ = generate_mall(4000, 5)
    buyers = {e["order_id"]: e["user_id"] for e in events if e["type"] == "order_paid"}
    for e in events:  # a refund touches the buyer: name it, as the stamp on the buyer does
        if e["type"] == "order_refunded":
            e["user_id"] = buyers[e["order_id"]]
    return events, buyers


def _key(ring) -> tuple:
    return (tuple(ring.members), ring.score, tuple(ring.reasons),
            tuple(sorted(ring.features.items())))


@pytest.mark.parametrize("read", ["whole", "linked part"])
@pytest.mark.parametrize(("cut", "width"), [(0.3, 0.05), (0.6, 0.02), (0.9, 0.01), (0.97, 0.03)])
def test_detecting_the_touched_components_and_keeping_the_rest_is_a_full_run(
        mall, cut, width, read):
    """Whether the run reads the whole graph or only the part it can link (the users of
    shared identifiers and of the touched users' identifiers, as the job reads it)."""
    events, _ = mall
    start, end = int(len(events) * cut), int(len(events) * (cut + width))
    before = detect(projection_from_events(events[:start]), seed=1)
    now = projection_from_events(events[:end])
    full = detect(now, seed=1)
    touched = _touched(events[start:end])
    if read == "linked part":
        whole, now = now, linked_part(now, MAX_SHARE, 3, touched)
        assert set(now.users) < set(whole.users)  # a part is read, not everyone

    found, plan = incremental.detect_touched(now, touched, seed=1)
    kept = incremental.kept_rings({f"r{n}": r.members for n, r in enumerate(before)},
                                  plan.rerun)
    kept_rings = [before[int(ring_id[1:])] for ring_id in kept]

    assert plan.components_kept > 0 and plan.components_rerun > 0  # both happen here
    assert all(all(m in plan.rerun for m in r.members) for r in found)
    assert sorted(map(_key, kept_rings + found)) == sorted(map(_key, full))


def test_nothing_touched_detects_nothing_and_keeps_every_component(mall):
    events, _ = mall
    projection = projection_from_events(events)
    index = Index(projection)
    graph = build_user_graph(shared_groups(projection, index), index)

    found, plan = incremental.detect_touched(projection, set(), seed=1)

    assert found == [] and plan.rerun == set() and plan.components_rerun == 0
    assert plan.components_kept == len(components(set(graph.adjacency), graph.weights)) > 0


def test_a_ring_with_a_member_detected_again_is_not_kept():
    previous = {"ring-b": ["u3", "u4"], "ring-a": ["u1", "u2"], "ring-gone": []}
    assert incremental.kept_rings(previous, {"u4", "u9"}) == ["ring-a"]
    assert incremental.kept_rings(previous, set()) == ["ring-a", "ring-b"]


@pytest.mark.parametrize(("armed", "last", "now", "due"), [
    (0.0, 100.0, 150.0, False),  # batches still coming
    (0.0, 100.0, 220.0, True),  # quiet for 120 s
    (0.0, 3_500.0, 3_600.0, True),  # armed an hour ago: no longer waits for quiet
])
def test_a_trigger_is_due_once_writes_are_quiet_or_it_waited_an_hour(armed, last, now, due):
    assert schedule.due(armed, last, now, quiet=120.0) is due
