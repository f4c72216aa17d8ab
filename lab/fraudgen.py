"""A seeded synthetic mall with labelled fraud rings, for tuning and evaluating ring detection.

`generate_mall(users, seed)` returns SPEC §3 events sorted by time and the labels of what
was planted. Eight weeks of activity (2026-03-02 to 2026-04-27, Beijing time) by accounts
that registered during the window or up to two years before it.

Benign structure is made to be hard:
- invite trees grown by preferential attachment with a pull towards recent registrants,
  so chains run well deeper than three tiers; a few super-inviters (influencers) bring
  hundreds of invitees each, many of them in bursts after a post;
- households of 2-5 members who invite each other, share a family device (a part of their
  sessions), the home broadband IP, the home address and sometimes a family card: the
  hardest negatives, they look like self-referral;
- campus (1,000-3,000 users) and office (100-400 users) NAT IPs, carrier IPs that rotate
  across many users, pick-up lockers used as addresses by a hundred users or so;
- daily rhythms (quiet nights, busy evenings), late after-sales refunds, first orders
  within a day of registration for a minority of honest new users.

Fraud, about 2% of users, in rings of 2-40 labelled by kind:
- invite_farm: an organiser and a burst of fake accounts on a few emulated devices and
  proxy IPs, chained three deep so every tier pays the farm, one small first order each;
- device_farm: accounts on a phone farm, a few payment accounts, one or two addresses;
- self_referral: a person and their own second (third) account on their phone, card and
  address;
- collusion: real people with their own phones and cards, recruited through one link,
  ordering in loose lockstep and shipping to one or two drop addresses;
- camouflaged: members who also live ordinary lives (some with a family, sharing its
  tablet, broadband, address and card), go online through a campus NAT, share a few
  phones and a card for part of their activity and invite real friends;
- refund_after_payout: accounts that place large orders and refund them once the
  rebates would have been credited (after the return window and the settlement delay).
"""

import random
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson

CST = timezone(timedelta(hours=8))
START = int(datetime(2026, 3, 2, tzinfo=CST).timestamp())
DAYS = 56
END = START + DAYS * 86_400
HOUR, DAY = 3_600, 86_400
CATEGORIES = ("beauty", "food", "apparel", "electronics", "home", "baby", "sports")

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
# Benign activity by hour of day (Beijing time): quiet nights, lunch and evening peaks.
HOURLY = (2, 1, 1, 1, 1, 1, 2, 4, 6, 7, 7, 8, 9, 8, 7, 7, 7, 8, 10, 12, 14, 14, 10, 5)
_HOURLY_CUM = [sum(HOURLY[: h + 1]) for h in range(24)]


@dataclass(slots=True)
class _User:
    """A blueprint of one account: when it registered, who invited it, what it uses."""

    reg: int
    inviter: int = -1  # index of the inviter in the blueprint list, -1 for none
    kind: str = ""  # "" benign, "kol" super-inviter, else the fraud kind
    household: int = -1
    org: int = -1
    uid: str = ""


@dataclass(slots=True)
class _Ring:
    """A planted ring: its kind, members (blueprint indices) and shared identifiers."""

    kind: str
    start: int
    members: list[int] = field(default_factory=list)
    devices: list[str] = field(default_factory=list)
    ips: list[str] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _World:
    """Shared benign infrastructure: NATs, carrier IPs, lockers, households."""

    orgs: list[list[int]] = field(default_factory=list)  # member indices per org
    org_ips: list[list[str]] = field(default_factory=list)
    households: list[list[int]] = field(default_factory=list)
    family_card: dict[int, bool] = field(default_factory=dict)
    carriers: int = 0
    lockers: int = 0


class _Clock:
    """Event times: epoch seconds to ISO 8601 in Beijing time, one date string per day."""

    def __init__(self) -> None:
        self._days: dict[int, str] = {}

    def iso(self, t: int) -> str:
        """`t` as e.g. 2026-03-02T20:15:00+08:00."""
        local = t + 8 * HOUR
        day, rest = divmod(local, DAY)
        date = self._days.get(day)
        if date is None:
            date = datetime.fromtimestamp(day * DAY, timezone.utc).strftime("%Y-%m-%d")
            self._days[day] = date
        h, rest = divmod(rest, HOUR)
        m, s = divmod(rest, 60)
        return f"{date}T{h:02d}:{m:02d}:{s:02d}+08:00"


def _ip(prefix: int, n: int) -> str:
    """A distinct IPv4 address per (prefix, n) for n below 2**24."""
    return f"{prefix}.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def _rhythm(rng: random.Random, lo: int, hi: int) -> int:
    """A time in [lo, hi) following the benign daily rhythm where the span allows it."""
    if hi - lo < DAY:
        return rng.randrange(lo, max(lo + 1, hi))
    t = rng.randrange(lo, hi)
    day_start = t - (t + 8 * HOUR) % DAY
    hour = bisect_left(_HOURLY_CUM, rng.random() * _HOURLY_CUM[-1])
    moved = day_start + hour * HOUR + rng.randrange(HOUR)
    return moved if lo <= moved < hi else t


def _pareto_sizes(rng: random.Random, total: int, alpha: float, lo: int, hi: int) -> list[int]:
    """Heavy-tailed group sizes in [lo, hi] adding up to about `total`."""
    sizes: list[int] = []
    while sum(sizes) < total:
        sizes.append(min(hi, int(lo * rng.paretovariate(alpha))))
    return sizes


# ---------------------------------------------------------------- benign population


def _benign_users(rng: random.Random, n: int) -> tuple[list[_User], list[int]]:
    """Benign blueprints (older accounts first, then by registration) and the super-inviters.

    Super-inviters are older accounts; about 12% of newcomers join through one of them,
    most of those in a burst within hours of one of the super-inviter's posts.
    """
    older = sorted(START - rng.randrange(DAY, 700 * DAY) for _ in range(int(n * 0.35)))
    users = [_User(reg=reg) for reg in older]
    kols = sorted(rng.sample(range(len(users) // 2), max(3, n // 2_000)))
    for k in kols:
        users[k].kind = "kol"
    weights = [min(20.0, rng.paretovariate(1.5)) for _ in kols]
    posts = {k: [rng.randrange(START, END - 3 * DAY) for _ in range(rng.randint(2, 6))]
             for k in kols}
    newcomers = [_User(reg=_rhythm(rng, START, END - DAY)) for _ in range(n - len(users))]
    for user in newcomers:
        if rng.random() < 0.12:
            kol = rng.choices(kols, weights)[0]
            user.inviter = kol
            if rng.random() < 0.6:
                burst = rng.choice(posts[kol]) + int(rng.expovariate(1 / (2 * HOUR)))
                user.reg = min(END - DAY, burst)
    newcomers.sort(key=lambda u: u.reg)
    return users + newcomers, kols


def _households(rng: random.Random, users: list[_User], world: _World) -> None:
    """Groups of 2-5 ordinary users (about 16%) who share a home and invite each other."""
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


def _invite_trees(rng: random.Random, users: list[_User]) -> None:
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


def _orgs(rng: random.Random, users: list[_User], world: _World) -> None:
    """Campuses and offices behind NAT IPs; about 35% of benign users belong to one."""
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
        world.org_ips.append([_ip(202, org * 4 + k) for k in range(1 if size < 1_000 else 2)])


# ---------------------------------------------------------------- fraud population


def _ring_sizes(rng: random.Random, fraud_users: int) -> list[tuple[str, int]]:
    """(kind, size) of every ring, each kind taking its share of the fraudulent users."""
    rings: list[tuple[str, int]] = []
    for kind, (share, lo, hi) in KINDS.items():
        budget = max(lo, round(fraud_users * share))
        while budget >= lo:
            size = min(budget, rng.randint(lo, hi))
            rings.append((kind, size))
            budget -= size
    return rings


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
    if kind in ("invite_farm", "refund_after_payout"):  # three to a parent: chains 3+ deep
        return (n - 1) // 3 if n > 3 else 0
    if kind == "camouflaged":
        return rng.randrange(n)
    if kind == "self_referral":
        return n - 1
    return 0 if rng.random() < 0.7 else rng.randrange(n)  # mostly the organiser's link


def _plant(rng: random.Random, kind: str, size: int, users: list[_User],
           benign_by_reg: list[int], world: _World) -> _Ring:
    """Blueprints of one ring appended to `users`: registration times and invite links.

    `benign_by_reg` lists the benign users in registration order: an organiser may have
    been invited by one of them.
    """
    late = 26 if kind == "refund_after_payout" else 16
    ring = _Ring(kind=kind, start=rng.randrange(START + 3 * DAY, END - late * DAY))
    base = len(users)
    for n, reg in enumerate(_registrations(rng, kind, size, ring.start)):
        user = _User(reg=reg, kind=kind)
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


def _ring_identifiers(rng: random.Random, ring: _Ring, number: int, world: _World) -> None:
    """The devices, IPs, payment accounts and addresses a ring shares (`number` names them)."""
    size, kind, tag = len(ring.members), ring.kind, f"{ring.kind[:2]}{number}"
    if kind == "invite_farm":
        ring.devices = [f"emu-{tag}-{k}" for k in range(1 + size // 10)]
        ring.ips = [_ip(45, (number * 4 + k) % 2**24) for k in range(rng.randint(1, 2))]
        ring.accounts = [f"pa-{tag}-{k}" for k in range(rng.randint(1, 2))]
        use_locker = rng.random() < 0.4
        ring.addresses = [f"lk{rng.randrange(world.lockers)}" if use_locker else f"ad-{tag}"]
    elif kind in ("device_farm", "refund_after_payout"):
        ring.devices = [f"farm-{tag}-{k}" for k in range(max(1, size // 6))]
        ring.ips = [_ip(61, (number * 4 + k) % 2**24) for k in range(rng.randint(1, 2))]
        ring.accounts = [f"pa-{tag}-{k}" for k in range(rng.randint(1, 3))]
        ring.addresses = [f"ad-{tag}-{k}" for k in range(rng.randint(1, 2))]
    elif kind == "collusion":
        ring.addresses = [f"drop-{tag}-{k}" for k in range(rng.randint(1, 2))]
    elif kind == "camouflaged":
        ring.devices = [f"work-{tag}-{k}" for k in range(max(1, size // 5))]
        ring.accounts = [f"pa-{tag}"]
        big = [k for k, members in enumerate(world.orgs) if len(members) >= 1_000] or [0]
        ring.ips = world.org_ips[rng.choice(big)] if world.orgs else []


# ---------------------------------------------------------------- activity


class _Activity:
    """Writes the events of every account; holds the id counters and the clock."""

    def __init__(self, rng: random.Random, users: list[_User], world: _World) -> None:
        self.rng, self.users, self.world = rng, users, world
        self.clock = _Clock()
        self.out: list[tuple[int, int, dict[str, Any]]] = []
        self.orders = 0

    def emit(self, t: int, event: dict[str, Any]) -> None:
        """Keeps an event that happens inside the window (later ones have not happened)."""
        if t < END:
            event["at"] = self.clock.iso(t)
            self.out.append((t, len(self.out), event))

    def register(self, user: _User, phone_prefix: str = "13") -> None:
        """The user_registered event of a blueprint."""
        inviter = self.users[user.inviter].uid if user.inviter >= 0 else None
        event: dict[str, Any] = {"type": "user_registered", "user_id": user.uid}
        if inviter:
            event["invited_by"] = inviter
        event["phone"] = f"+86{phone_prefix}{self.rng.randrange(10**9):09d}"
        self.emit(user.reg, event)

    def session(self, user: _User, t: int, device: str, ip: str) -> None:
        """One login."""
        self.emit(t, {"type": "session", "user_id": user.uid, "device_id": device, "ip": ip})

    def order(self, user: _User, t: int, device: str, ip: str, account: str, address: str,
              cents: int | None = None, refund: tuple[int, int] | None = None) -> None:
        """One paid order (items summing to the amount), then its refund or completion.

        `refund` is (delay in seconds, refunded cents); without it the order completes.
        """
        rng = self.rng
        self.orders += 1
        order_id = f"o{self.orders}"
        items = []
        for _ in range(1 if cents is not None else rng.choices((1, 2, 3), (60, 28, 12))[0]):
            amount = cents if cents is not None else max(
                500, min(500_000, int(rng.lognormvariate(8.6, 0.9))))
            items.append({"sku": f"sku{rng.randrange(5_000)}", "category": rng.choice(CATEGORIES),
                          "amount_cents": amount})
        self.emit(t, {"type": "order_paid", "order_id": order_id, "user_id": user.uid,
                      "amount_cents": sum(i["amount_cents"] for i in items), "currency": "CNY",
                      "items": items, "device_id": device, "ip": ip, "payment_account": account,
                      "shipping_address": address})
        if refund is not None:
            delay, refunded = refund
            total = sum(i["amount_cents"] for i in items)
            self.emit(t + delay, {"type": "order_refunded", "order_id": order_id,
                                  "refund_id": f"r{self.orders}",
                                  "amount_cents": min(refunded, total)})
        else:
            self.emit(t + rng.randrange(3 * DAY, 10 * DAY),
                      {"type": "order_completed", "order_id": order_id})

    # -- benign ----------------------------------------------------------------

    def benign(self, index: int) -> None:
        """Registration, sessions and orders of one ordinary user."""
        rng, user, world = self.rng, self.users[index], self.world
        self.register(user)
        phone = f"d{index}"
        pc = f"p{index}" if rng.random() < 0.3 else None
        house = user.household
        home_ip = _ip(36, house if house >= 0 else len(world.households) + index)
        tablet = f"tab{house}" if house >= 0 else None
        org_ips = world.org_ips[user.org] if user.org >= 0 else None
        begin = max(START, user.reg + 60)

        def where() -> tuple[str, str]:
            roll = rng.random()
            device = tablet if tablet and roll < 0.25 else (pc if pc and roll > 0.8 else phone)
            place = rng.random()
            if org_ips and place < 0.35:
                return device, rng.choice(org_ips)
            if device == phone and place < 0.7:
                return device, _ip(112, rng.randrange(world.carriers))
            return device, home_ip

        if user.reg >= START:
            self.session(user, user.reg + 30, phone, _ip(112, rng.randrange(world.carriers)))
        for _ in range(rng.choices((0, 1, 2, 3, 4, 6, 9), (10, 20, 22, 18, 14, 10, 6))[0]):
            self.session(user, _rhythm(rng, begin, END), *where())
        card = f"fam{house}" if house >= 0 and world.family_card[house] else None
        home = f"h{house}" if house >= 0 else f"a{index}"
        locker = f"lk{((house if house >= 0 else index) * 7919) % world.lockers}"
        office = f"of{user.org}" if user.org >= 0 else home
        count = rng.choices((0, 1, 2, 3, 4, 6), (28, 30, 20, 11, 7, 4))[0]
        t = begin
        for n in range(count):
            if n == 0 and user.reg >= START:
                quick = rng.random() < 0.15
                t = user.reg + (rng.randrange(600, 20 * HOUR) if quick
                                else int(rng.expovariate(1 / (9 * DAY))) + HOUR)
                t = _rhythm(rng, t, t + 1) if quick else _rhythm(rng, t, t + DAY)
            else:
                t = _rhythm(rng, begin, END)
            if t >= END:
                break
            device, ip = where()
            address = rng.choices((home, locker, office), (65, 25, 10))[0]
            account = card if card and rng.random() < 0.5 else f"pay{index}"
            refund = None
            if rng.random() < 0.06:
                late = rng.random() < 0.12
                delay = rng.randrange(10 * DAY, 30 * DAY) if late else rng.randrange(HOUR, 6 * DAY)
                refund = (delay, rng.choice((10**9, 10**9, rng.randrange(100, 5_000))))
            self.session(user, max(user.reg + 1, t - rng.randrange(60, 1_800)), device, ip)
            self.order(user, t, device, ip, account, address, refund=refund)

    # -- fraud -----------------------------------------------------------------

    def ring(self, ring: _Ring) -> None:
        """The events of one planted ring."""
        getattr(self, f"_{ring.kind}")(ring)

    def _member_life(self, index: int, orders: int) -> None:
        """An ordinary life for a ring member who also behaves normally (own phone, card)."""
        rng, user = self.rng, self.users[index]
        begin = max(START, user.reg + 60)
        ip_home = _ip(37, index)
        for _ in range(rng.randint(1, 4)):
            self.session(user, _rhythm(rng, begin, END), f"d{index}",
                         rng.choice((ip_home, _ip(112, rng.randrange(self.world.carriers)))))
        for _ in range(orders):
            t = _rhythm(rng, begin, END)
            self.order(user, t, f"d{index}", ip_home, f"pay{index}",
                       rng.choice((f"a{index}", f"lk{(index * 7919) % self.world.lockers}")))

    def _invite_farm(self, ring: _Ring) -> None:
        rng, users = self.rng, self.users
        organiser, *fakes = ring.members
        self.register(users[organiser])
        self._member_life(organiser, rng.randint(0, 2))
        self.session(users[organiser], ring.start - rng.randrange(HOUR, DAY), ring.devices[0],
                     ring.ips[0])
        for n, i in enumerate(fakes):
            user = users[i]
            device, ip = ring.devices[n % len(ring.devices)], rng.choice(ring.ips)
            self.register(user, "170")
            self.session(user, user.reg + rng.randrange(20, 300), device, ip)
            t = user.reg + rng.randrange(600, 20 * HOUR)
            self.order(user, t, device, ip, rng.choice(ring.accounts), ring.addresses[0],
                       cents=rng.randrange(990, 4_000))

    def _farm_orders(self, ring: _Ring, i: int, count: tuple[int, int],
                     cents: tuple[int, int] | None, refund_after: bool) -> None:
        """Sessions and orders of a farmed account on the ring's devices, IPs and cards."""
        rng, user = self.rng, self.users[i]
        t = user.reg + rng.randrange(1_800, 22 * HOUR)
        for n in range(rng.randint(*count)):
            device, ip = rng.choice(ring.devices), rng.choice(ring.ips)
            if refund_after and rng.random() < 0.4:  # evasion: a carrier IP now and then
                ip = _ip(112, rng.randrange(self.world.carriers))
            self.session(user, t - rng.randrange(60, 900), device, ip)
            amount = rng.randrange(*cents) if cents else None
            refund = (rng.randrange(9 * DAY, 20 * DAY), 10**9) if refund_after else None
            self.order(user, t, device, ip, rng.choice(ring.accounts), rng.choice(ring.addresses),
                       cents=amount, refund=refund)
            t += rng.randrange(HOUR, 6 * DAY)

    def _device_farm(self, ring: _Ring) -> None:
        organiser, *accounts = ring.members
        self.register(self.users[organiser])
        self._member_life(organiser, self.rng.randint(0, 2))
        self._farm_orders(ring, organiser, (1, 2), None, False)
        for i in accounts:
            self.register(self.users[i], "171")
            self.session(self.users[i], self.users[i].reg + 60, self.rng.choice(ring.devices),
                         self.rng.choice(ring.ips))
            self._farm_orders(ring, i, (1, 4), None, False)

    def _refund_after_payout(self, ring: _Ring) -> None:
        organiser, *accounts = ring.members
        self.register(self.users[organiser])
        self._member_life(organiser, 1)
        for i in accounts:
            self.register(self.users[i], "172")
            self._farm_orders(ring, i, (1, 3), (30_000, 300_000), True)

    def _self_referral(self, ring: _Ring) -> None:
        rng, users = self.rng, self.users
        person, *others = ring.members
        self.register(users[person])
        phone, home_ip = f"d{person}", _ip(37, person)
        account, address = f"pay{person}", f"a{person}"
        for _ in range(rng.randint(2, 6)):
            t = _rhythm(rng, max(START, users[person].reg + 60), END)
            carrier = _ip(112, rng.randrange(self.world.carriers))
            self.session(users[person], t, phone, rng.choice((home_ip, carrier)))
        for _ in range(rng.randint(0, 3)):
            t = _rhythm(rng, max(START, users[person].reg + 60), END)
            self.order(users[person], t, phone, home_ip, account, address)
        for i in others:
            user = users[i]
            self.register(user, "13")
            self.session(user, user.reg + 60, phone, home_ip)
            t = user.reg + (rng.randrange(HOUR, 20 * HOUR) if rng.random() < 0.6
                            else rng.randrange(DAY, 10 * DAY))
            for _ in range(rng.randint(1, 3)):
                self.session(user, t - 300, phone, home_ip)
                self.order(user, t, phone, home_ip, account, address)
                t = _rhythm(rng, t + DAY, t + 12 * DAY)

    def _collusion(self, ring: _Ring) -> None:
        rng, users = self.rng, self.users
        for i in ring.members:
            self.register(users[i])
            self._member_life(i, rng.randint(0, 2))
        rounds = sorted(rng.randrange(ring.start + 15 * DAY, END - DAY)
                        for _ in range(rng.randint(4, 8)))
        for moment in rounds:
            for i in ring.members:
                if rng.random() < 0.85 and users[i].reg < moment:
                    t = max(users[i].reg + 600, moment + int(rng.gauss(0, 900)))
                    ip = _ip(112, rng.randrange(self.world.carriers))
                    address = rng.choice(ring.addresses) if rng.random() < 0.7 else f"a{i}"
                    self.session(users[i], t - 120, f"d{i}", ip)
                    self.order(users[i], t, f"d{i}", ip, f"pay{i}", address)

    def _camouflaged(self, ring: _Ring) -> None:
        rng, users = self.rng, self.users
        for i in ring.members:
            user = users[i]
            self.register(user)
            begin = max(START, user.reg + 60)
            house = user.household
            home_ip = _ip(36, house) if house >= 0 else _ip(37, i)
            home = f"h{house}" if house >= 0 else f"a{i}"
            card = f"fam{house}" if house >= 0 and self.world.family_card[house] else f"pay{i}"
            own = [f"d{i}"] + ([f"tab{house}"] if house >= 0 else [])
            for n in range(rng.randint(3, 8)):
                device = rng.choice(ring.devices) if rng.random() < 0.5 else rng.choice(own)
                ip = rng.choice(ring.ips) if ring.ips and rng.random() < 0.6 else home_ip
                t = user.reg + 30 if n == 0 else _rhythm(rng, begin, END)
                self.session(user, t, device, ip)
            for _ in range(rng.randint(2, 5)):
                t = _rhythm(rng, begin, END)
                device = rng.choice(ring.devices) if rng.random() < 0.5 else rng.choice(own)
                account = ring.accounts[0] if rng.random() < 0.5 else card
                address = rng.choice((home, f"lk{(i * 7919) % self.world.lockers}"))
                self.order(user, t, device, rng.choice(ring.ips) if ring.ips else home_ip, account,
                           address)


# ---------------------------------------------------------------- assembly


def _camouflage_friends(rng: random.Random, users: list[_User], rings: list[_Ring]) -> None:
    """Camouflaged members invite real friends: benign newcomers re-pointed to them.

    A friend registered after the member, so no cycle can form."""
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


def _assign_ids(users: list[_User]) -> None:
    """Ids in registration order, so an id says nothing about a ring."""
    width = len(str(len(users)))
    for rank, i in enumerate(sorted(range(len(users)), key=lambda i: (users[i].reg, i))):
        users[i].uid = f"u{rank:0{width}d}"


def _labels(users: list[_User], rings: list[_Ring], world: _World,
            kols: list[int]) -> dict[str, Any]:
    """What was planted: rings by kind, and the benign groups worth checking."""
    return {
        "rings": [{"ring": f"{r.kind}-{n}", "kind": r.kind,
                   "members": sorted(users[i].uid for i in r.members)}
                  for n, r in enumerate(rings)],
        "groups": {
            "household": [sorted(users[i].uid for i in h) for h in world.households],
            "nat": [sorted(users[i].uid for i in members) for members in world.orgs],
            "super_inviter": sorted(users[i].uid for i in kols),
        },
    }


def generate_mall(users: int, seed: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Events (sorted by time) of a mall of `users` accounts, and the labels of its rings."""
    rng = random.Random(seed)
    fraud = max(2, round(users * FRAUD_SHARE))
    plan = _ring_sizes(rng, fraud)
    world = _World(carriers=max(40, users // 400), lockers=max(10, users // 350))
    population, kols = _benign_users(rng, users - sum(size for _, size in plan))
    _households(rng, population, world)
    _invite_trees(rng, population)
    _orgs(rng, population, world)
    benign_count = len(population)
    by_reg = sorted(range(benign_count), key=lambda i: population[i].reg)
    rings = [_plant(rng, kind, size, population, by_reg, world) for kind, size in plan]
    _camouflage_friends(rng, population, rings)
    _assign_ids(population)
    activity = _Activity(rng, population, world)
    for i in range(benign_count):
        activity.benign(i)
    for ring in rings:
        activity.ring(ring)
    activity.out.sort(key=lambda entry: (entry[0], entry[1]))
    events = [event for _, _, event in activity.out]
    return events, _labels(population, rings, world, kols)


def write_mall(users: int, seed: int, out_dir: str | Path) -> tuple[Path, Path]:
    """Writes events.ndjson and labels.json of `generate_mall` into out_dir."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    events, labels = generate_mall(users, seed)
    events_path, labels_path = out / "events.ndjson", out / "labels.json"
    with events_path.open("wb") as handle:
        for event in events:
            handle.write(orjson.dumps(event) + b"\n")
    labels_path.write_bytes(orjson.dumps(labels, option=orjson.OPT_INDENT_2))
    return events_path, labels_path
