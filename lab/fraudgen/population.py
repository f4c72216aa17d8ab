"""The benign population: accounts, super-inviters, households, invite trees, campuses, offices."""

import random

from lab.fraudgen.blueprints import User, World, ipv4
from lab.fraudgen.clock import DAY, END, HOUR, START, rhythm_time


def benign_users(rng: random.Random, n: int) -> tuple[list[User], list[int]]:
    """Benign blueprints (older accounts first, then by registration) and the super-inviters.

    Super-inviters are older accounts; some newcomers join through one of them, most of
    those in a burst within hours of one of its posts.
    """
    older = sorted(START - rng.randrange(DAY, 700 * DAY) for _ in range(int(n * 0.35)))
    users = [User(reg=reg) for reg in older]
    kols = sorted(rng.sample(range(len(users) // 2), max(3, n // 2_000)))
    for k in kols:
        users[k].kind = "kol"
    weights = [min(20.0, rng.paretovariate(1.5)) for _ in kols]
    posts = {k: [rng.randrange(START, END - 3 * DAY) for _ in range(rng.randint(2, 6))]
             for k in kols}
    newcomers = [User(reg=rhythm_time(rng, START, END - DAY)) for _ in range(n - len(users))]
    for user in newcomers:
        if rng.random() < 0.12:
            kol = rng.choices(kols, weights)[0]
            user.inviter = kol
            if rng.random() < 0.6:
                burst = rng.choice(posts[kol]) + int(rng.expovariate(1 / (2 * HOUR)))
                user.reg = min(END - DAY, burst)
    newcomers.sort(key=lambda u: u.reg)
    return users + newcomers, kols


def households(rng: random.Random, users: list[User], world: World) -> None:
    """Groups of ordinary users who share a home and invite each other."""
    free = [i for i, u in enumerate(users) if u.kind == "" and u.inviter < 0]
    rng.shuffle(free)
    budget, at = int(len(users) * 0.16), 0
    while budget > 0 and at + 5 <= len(free):
        size = rng.choices((2, 3, 4, 5), (45, 30, 17, 8))[0]
        members = sorted(free[at:at + size], key=lambda i: users[i].reg)
        at, budget = at + size, budget - size
        if rng.random() < 0.2 and users[members[0]].reg >= START:  # joined together
            t = users[members[0]].reg
            for i in members[1:]:
                t += rng.randrange(300, 3 * HOUR)
                users[i].reg = t
        house = len(world.households)
        for n, i in enumerate(members):
            users[i].household = house
            if n:
                users[i].inviter = members[rng.randrange(n)]
        world.households.append(members)
        world.family_card[house] = rng.random() < 0.3


def invite_trees(rng: random.Random, users: list[User]) -> None:
    """Inviters for the rest: preferential attachment, or a recent registrant (deep chains)."""
    order = sorted(range(len(users)), key=lambda i: (users[i].reg, i))
    pool: list[int] = []
    for rank, i in enumerate(order):
        user = users[i]
        if user.inviter < 0 and pool and user.reg >= START - 300 * DAY and rng.random() < 0.7:
            if rng.random() < 0.5:
                inviter = order[rng.randrange(max(0, rank - 200), rank)]
            else:
                inviter = rng.choice(pool)
            if users[inviter].reg < user.reg:
                user.inviter = inviter
                pool.append(inviter)
        pool.append(i)


def orgs(rng: random.Random, users: list[User], world: World) -> None:
    """Campuses and offices, each behind its NAT IPs, for a part of the benign users."""
    candidates = [i for i, u in enumerate(users) if u.kind in ("", "kol")]
    rng.shuffle(candidates)
    campus = _pareto_sizes(rng, int(len(candidates) * 0.15), 2.0, 1_000, 3_000)
    office = _pareto_sizes(rng, int(len(candidates) * 0.20), 1.5, 100, 400)
    at = 0
    for size in campus + office:
        members = candidates[at:at + size]
        at += size
        org = len(world.orgs)
        for i in members:
            users[i].org = org
        world.orgs.append(members)
        world.org_ips.append([ipv4(202, org * 4 + k) for k in range(1 if size < 1_000 else 2)])


def _pareto_sizes(rng: random.Random, total: int, alpha: float, lo: int, hi: int) -> list[int]:
    """Heavy-tailed group sizes in [lo, hi] adding up to about `total`."""
    sizes: list[int] = []
    while sum(sizes) < total:
        sizes.append(min(hi, int(lo * rng.paretovariate(alpha))))
    return sizes
