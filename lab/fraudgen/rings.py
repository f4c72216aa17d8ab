"""Planted fraud rings: how many of each kind, their members, invite links and identifiers."""

import random
from bisect import bisect_left

from lab.fraudgen.blueprints import Ring, User, World, ipv4
from lab.fraudgen.clock import DAY, END, HOUR, START

FRAUD_SHARE = 0.02
# kind: (share of fraudulent users, smallest ring, largest ring)
KINDS: dict[str, tuple[float, int, int]] = {
    "invite_farm": (0.22, 8, 40),
    "device_farm": (0.20, 5, 30),
    "self_referral": (0.10, 2, 3),
    "collusion": (0.15, 4, 15),
    "camouflaged": (0.18, 4, 20),
    "refund_after_payout": (0.15, 3, 12),
}


def ring_sizes(rng: random.Random, fraud_users: int) -> list[tuple[str, int]]:
    """(kind, size) of every ring, each kind taking its share of the fraudulent users."""
    rings: list[tuple[str, int]] = []
    for kind, (share, lo, hi) in KINDS.items():
        budget = max(lo, round(fraud_users * share))
        while budget >= lo:
            size = min(budget, rng.randint(lo, hi))
            rings.append((kind, size))
            budget -= size
    return rings


def plant(rng: random.Random, kind: str, size: int, users: list[User],
          benign_by_reg: list[int], world: World) -> Ring:
    """Blueprints of one ring appended to `users`: registration times and invite links.

    `benign_by_reg` lists the benign users in registration order: an organiser may have
    been invited by one of them.
    """
    late = 26 if kind == "refund_after_payout" else 16
    ring = Ring(kind=kind, start=rng.randrange(START + 3 * DAY, END - late * DAY))
    base = len(users)
    for n, reg in enumerate(_registrations(rng, kind, size, ring.start)):
        user = User(reg=reg, kind=kind)
        if n == 0:
            earlier = bisect_left(benign_by_reg, reg, key=lambda i: users[i].reg)
            if earlier and rng.random() < 0.6:
                user.inviter = benign_by_reg[rng.randrange(earlier)]
        else:
            user.inviter = base + _ring_inviter(rng, kind, n)
            user.reg = max(user.reg, users[user.inviter].reg + rng.randrange(60, 2 * HOUR))
        if kind == "camouflaged" and world.households and rng.random() < 0.4:
            user.household = rng.randrange(len(world.households))  # lives with a family
        users.append(user)
        ring.members.append(base + n)
    _ring_identifiers(rng, ring, base, world)
    return ring


def camouflage_friends(rng: random.Random, users: list[User], rings: list[Ring]) -> None:
    """Camouflaged members invite real friends: benign newcomers re-pointed to them.

    A friend registered after the member, so no cycle can form.
    """
    newcomers = [i for i, u in enumerate(users)
                 if u.kind == "" and u.household < 0 and u.reg >= START]
    for ring in rings:
        if ring.kind != "camouflaged":
            continue
        for member in ring.members:
            for _ in range(rng.randint(0, 3)):
                friend = rng.choice(newcomers)
                if users[friend].reg > users[member].reg:
                    users[friend].inviter = member


def _registrations(rng: random.Random, kind: str, size: int, start: int) -> list[int]:
    """Registration times of a ring's members, the organiser (or first account) first."""
    if kind == "self_referral":
        return [start - rng.randrange(5, 600) * DAY] + [start + n * rng.randrange(60, DAY)
                                                        for n in range(1, size)]
    if kind == "camouflaged":
        spread = min(28 * DAY, END - 3 * DAY - start)
        return sorted(start - rng.randrange(0, 120) * DAY if rng.random() < 0.3
                      else start + rng.randrange(spread) for _ in range(size))
    spread = {"invite_farm": 6 * HOUR, "device_farm": 4 * DAY, "collusion": 14 * DAY,
              "refund_after_payout": 2 * DAY}[kind]
    return [start - rng.randrange(1, 300) * DAY] + sorted(
        start + rng.randrange(spread) for _ in range(size - 1))


def _ring_inviter(rng: random.Random, kind: str, n: int) -> int:
    """Which earlier member (0..n-1) invited member n of a ring."""
    if kind in ("invite_farm", "refund_after_payout"):  # chains 3+ deep: every tier pays
        return (n - 1) // 3 if n > 3 else 0
    if kind == "camouflaged":
        return rng.randrange(n)
    if kind == "self_referral":
        return n - 1
    return 0 if rng.random() < 0.7 else rng.randrange(n)  # mostly the organiser's link


def _ring_identifiers(rng: random.Random, ring: Ring, number: int, world: World) -> None:
    """The devices, IPs, payment accounts and addresses a ring shares (`number` names them)."""
    size, kind, tag = len(ring.members), ring.kind, f"{ring.kind[:2]}{number}"
    if kind == "invite_farm":
        ring.devices = [f"emu-{tag}-{k}" for k in range(1 + size // 10)]
        ring.ips = [ipv4(45, (number * 4 + k) % 2**24) for k in range(rng.randint(1, 2))]
        ring.accounts = [f"pa-{tag}-{k}" for k in range(rng.randint(1, 2))]
        use_locker = rng.random() < 0.4
        ring.addresses = [f"lk{rng.randrange(world.lockers)}" if use_locker else f"ad-{tag}"]
    elif kind in ("device_farm", "refund_after_payout"):
        ring.devices = [f"farm-{tag}-{k}" for k in range(max(1, size // 6))]
        ring.ips = [ipv4(61, (number * 4 + k) % 2**24) for k in range(rng.randint(1, 2))]
        ring.accounts = [f"pa-{tag}-{k}" for k in range(rng.randint(1, 3))]
        ring.addresses = [f"ad-{tag}-{k}" for k in range(rng.randint(1, 2))]
    elif kind == "collusion":
        ring.addresses = [f"drop-{tag}-{k}" for k in range(rng.randint(1, 2))]
    elif kind == "camouflaged":
        ring.devices = [f"work-{tag}-{k}" for k in range(max(1, size // 5))]
        ring.accounts = [f"pa-{tag}"]
        big = [k for k, members in enumerate(world.orgs) if len(members) >= 1_000] or [0]
        ring.ips = world.org_ips[rng.choice(big)] if world.orgs else []
