"""A second generator of labelled malls, written apart from lab.fraudgen, for evaluating ring
detection on worlds it was not tuned on.

`generate_world(settings, users, seed)` returns SPEC §3 events sorted by time (stamped in
UTC) and the labels of what was planted: fraud rings by kind, and benign groups that look
like fraud (promotions, households, campuses and offices behind NAT, parcel lockers,
resellers, KOLs with their invitees). A world is people first: each has a phone, a card, a
home line or a dorm room, and places; accounts belong to people, and a ring is one or a few
people behind many accounts, or many people colluding now and then. `WorldSettings` sets
the mix; `NAMED` holds the settings the held-out evaluation uses (lab.bench.heldout).
"""

from dataclasses import asdict
from pathlib import Path
from typing import Any

from lab.mall_files import write_mall_files
from lab.worlds import benign, fraud
from lab.worlds.people import Account, live
from lab.worlds.settings import GROUP_KINDS, HELD_OUT, NAMED, TUNE, WorldSettings
from lab.worlds.world import World

__all__ = ["HELD_OUT", "NAMED", "TUNE", "WorldSettings", "generate_world", "write_world"]


def generate_world(settings: WorldSettings, users: int,
                   seed: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Events (sorted by time) of a mall of `users` accounts, and its labels."""
    world = World.empty(settings, users, seed)
    rings = fraud.plan(settings, users, world.rng)
    benign.populate(world, users - sum(size for _, size in rings))
    for kind, size in rings:
        fraud.plant(world, kind, size)
    for account in world.accounts:
        if account.inviter is not None and account.inviter.registered >= account.registered:
            account.inviter = None  # an invite must come from an older account
    for account in world.accounts:
        world.journal.register(account.uid, account.registered,
                               account.inviter.uid if account.inviter else None)
        if account.script != "ring":
            live(world.journal, world.rng, world.net, account)
    return world.journal.events(), _labels(world, users, seed)


def write_world(settings: WorldSettings, users: int, seed: int,
                out_dir: str | Path) -> tuple[Path, Path]:
    """Writes events.ndjson and labels.json of `generate_world` into out_dir."""
    events, labels = generate_world(settings, users, seed)
    return write_mall_files(events, labels, out_dir)


def _labels(world: World, users: int, seed: int) -> dict[str, Any]:
    """Rings by kind; benign groups by kind (honest members only, two or more; a promotion,
    a KOL's following and a reseller's customers list the promoter, KOL or reseller first)."""

    def honest(accounts: list[Account]) -> list[str]:
        return sorted({a.uid for a in accounts if a.role == ""})

    def led(accounts: list[Account]) -> list[str]:
        return [accounts[0].uid, *(uid for uid in honest(accounts[1:]) if uid != accounts[0].uid)]

    lists: dict[str, list[list[Account]]] = {
        "promotion": world.groups["promotion"],
        "household": [accounts for _, accounts in world.households],
        "nat": [place.members for place in world.places],
        "locker": [accounts for _, accounts in world.lockers],
        "reseller": world.groups["reseller"],
        "kol": world.groups["kol"],
    }
    groups: dict[str, Any] = {
        kind: [g for g in map(led if kind in ("promotion", "kol", "reseller") else honest,
                              lists[kind]) if len(g) >= 2]
        for kind in GROUP_KINDS}
    groups["super_inviter"] = sorted(g[0].uid for g in world.groups["kol"])
    return {
        "world": world.settings.name, "users": users, "seed": seed,
        "settings": asdict(world.settings),
        "rings": [{"ring": f"{kind}-{n}", "kind": kind,
                   "members": sorted(a.uid for a in members)}
                  for n, (kind, members) in enumerate(world.rings)],
        "groups": groups,
    }
