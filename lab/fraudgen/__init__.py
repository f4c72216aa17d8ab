"""A seeded synthetic mall with labelled fraud rings, for tuning and evaluating ring detection.

`generate_mall(users, seed)` returns SPEC §3 events sorted by time and the labels of what was
planted: benign users who are hard to tell from fraud (households, invite trees grown by
super-inviters, campus and office NATs) and fraud rings of several kinds. docs/detection.md
("The synthetic mall") describes what a mall holds.
"""

import random
from pathlib import Path
from typing import Any

from lab.fraudgen import population, rings
from lab.fraudgen.activity import Activity
from lab.fraudgen.blueprints import Ring, User, World
from lab.fraudgen.ring_activity import write_ring
from lab.mall_files import write_mall_files


def generate_mall(users: int, seed: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Events (sorted by time) of a mall of `users` accounts, and the labels of its rings."""
    rng = random.Random(seed)
    # 1. how many rings of each kind, so the benign population fills the rest
    plan = rings.ring_sizes(rng, max(2, round(users * rings.FRAUD_SHARE)))
    world = World(carriers=max(40, users // 400), lockers=max(10, users // 350))
    # 2. benign blueprints: accounts, households, invite trees, campuses and offices
    blueprints, kols = population.benign_users(rng, users - sum(size for _, size in plan))
    population.households(rng, blueprints, world)
    population.invite_trees(rng, blueprints)
    population.orgs(rng, blueprints, world)
    benign_count = len(blueprints)
    # 3. rings appended after the benign blueprints; camouflaged members recruit friends
    by_reg = sorted(range(benign_count), key=lambda i: blueprints[i].reg)
    planted = [rings.plant(rng, kind, size, blueprints, by_reg, world) for kind, size in plan]
    rings.camouflage_friends(rng, blueprints, planted)
    _assign_ids(blueprints)
    # 4. the events of every account, then every ring
    activity = Activity(rng, blueprints, world)
    for i in range(benign_count):
        activity.benign(i)
    for ring in planted:
        write_ring(activity, ring)
    return activity.events(), _labels(blueprints, planted, world, kols)


def write_mall(users: int, seed: int, out_dir: str | Path) -> tuple[Path, Path]:
    """Writes events.ndjson and labels.json of `generate_mall` into out_dir."""
    events, labels = generate_mall(users, seed)
    return write_mall_files(events, labels, out_dir)


def _assign_ids(users: list[User]) -> None:
    """Ids in registration order, so an id says nothing about a ring."""
    width = len(str(len(users)))
    for rank, i in enumerate(sorted(range(len(users)), key=lambda i: (users[i].reg, i))):
        users[i].uid = f"u{rank:0{width}d}"


def _labels(users: list[User], planted: list[Ring], world: World,
            kols: list[int]) -> dict[str, Any]:
    """What was planted: rings by kind, and the benign groups worth checking."""
    return {
        "rings": [{"ring": f"{r.kind}-{n}", "kind": r.kind,
                   "members": sorted(users[i].uid for i in r.members)}
                  for n, r in enumerate(planted)],
        "groups": {
            "household": [sorted(users[i].uid for i in h) for h in world.households],
            "nat": [sorted(users[i].uid for i in members) for members in world.orgs],
            "super_inviter": sorted(users[i].uid for i in kols),
        },
    }
