"""The labelled synthetic mall (pure): seeded, valid SPEC §3 events, realistic structure."""

import hashlib
import re
from collections import Counter
from datetime import datetime
from functools import lru_cache

import orjson

from graph.ingest.events import ID_PATTERN, OrderPaid, Rejection, parse_event
from lab.fraudgen import generate_mall, write_mall
from lab.fraudgen.rings import KINDS
from tests.lab.graph_rules import assert_follows_graph_rules

USERS = 20_000
# sha256 of generate_mall(500, 7) as orjson with sorted keys; a deliberate change to the
# generated malls updates it
PINNED_DIGEST = "f96ab92d7820aa67e66ee90037ebe23088b92ac070c4fb8003fad8448e382cc0"


@lru_cache
def mall(users: int = USERS, seed: int = 5) -> tuple[list[dict], dict]:
    return generate_mall(users, seed)


def test_same_seed_same_mall():
    assert generate_mall(2_000, 9) == generate_mall(2_000, 9)


def test_other_seed_other_events():
    assert generate_mall(2_000, 9)[0] != generate_mall(2_000, 10)[0]


def test_a_seed_keeps_its_mall():
    """Tidying the generator must keep every random draw in its place (and its order)."""
    digest = hashlib.sha256(orjson.dumps(generate_mall(500, 7), option=orjson.OPT_SORT_KEYS))
    assert digest.hexdigest() == PINNED_DIGEST


def test_every_event_is_valid_and_sorted_by_time():
    events, _ = mall()
    parsed = [parse_event(n, e) for n, e in enumerate(events)]
    assert not [p for p in parsed if isinstance(p, Rejection)][:3]
    times = [datetime.fromisoformat(e["at"]).timestamp() for e in events]
    assert times == sorted(times)
    ident = re.compile(ID_PATTERN)
    for event in events:
        for key in ("user_id", "invited_by", "order_id", "refund_id", "device_id",
                    "payment_account", "shipping_address"):
            assert event.get(key) is None or ident.match(event[key]), (key, event)
        assert event["at"].endswith("+08:00")
    orders = [p for p in parsed if isinstance(p, OrderPaid)]
    assert {o.currency for o in orders} == {"CNY"}


def test_events_respect_the_graph_rules():
    events, _ = mall()
    assert_follows_graph_rules(events)


def test_labels_plant_every_kind_at_a_realistic_share():
    events, labels = mall()
    users = sum(1 for e in events if e["type"] == "user_registered")
    assert users == USERS
    members = [m for ring in labels["rings"] for m in ring["members"]]
    assert len(members) == len(set(members))
    assert 0.01 <= len(members) / users <= 0.03
    assert {ring["kind"] for ring in labels["rings"]} == set(KINDS)
    assert all(2 <= len(ring["members"]) <= 40 for ring in labels["rings"])


def test_benign_structure_is_hard():
    events, labels = mall()
    inviter = {e["user_id"]: e.get("invited_by") for e in events if e["type"] == "user_registered"}
    invitees = Counter(v for v in inviter.values() if v)
    kols = labels["groups"]["super_inviter"]
    assert max(invitees[k] for k in kols) >= 100

    def depth(user: str) -> int:
        n = 0
        while inviter.get(user):
            user, n = inviter[user], n + 1
        return n

    assert max(depth(u) for u in inviter) > 3
    households = labels["groups"]["household"]
    assert all(2 <= len(h) <= 5 for h in households)
    assert all(inviter[m] in h for h in households for m in h[1:])  # they invite each other
    assert max(len(g) for g in labels["groups"]["nat"]) >= 1_000
    ip_users: dict[str, set[str]] = {}
    for e in events:
        if e["type"] == "session":
            ip_users.setdefault(e["ip"], set()).add(e["user_id"])
    assert max(len(u) for u in ip_users.values()) >= 500  # NAT and carrier IPs


def test_write_mall(tmp_path):
    events_path, labels_path = write_mall(500, 3, tmp_path)
    lines = events_path.read_bytes().splitlines()
    assert [orjson.loads(line) for line in lines] == generate_mall(500, 3)[0]
    assert orjson.loads(labels_path.read_bytes())["rings"]
