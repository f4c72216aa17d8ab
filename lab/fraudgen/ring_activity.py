"""What each kind of planted ring does over time: its registrations, sessions and orders."""

from collections.abc import Callable

from lab.fraudgen.activity import Activity
from lab.fraudgen.blueprints import Ring, ipv4
from lab.fraudgen.clock import DAY, END, HOUR, START, rhythm_time


def write_ring(act: Activity, ring: Ring) -> None:
    """The events of one planted ring."""
    _BY_KIND[ring.kind](act, ring)


def _invite_farm(act: Activity, ring: Ring) -> None:
    rng, users = act.rng, act.users
    organiser, *fakes = ring.members
    act.register(users[organiser])
    act.member_life(organiser, rng.randint(0, 2))
    act.session(users[organiser], ring.start - rng.randrange(HOUR, DAY), ring.devices[0],
                ring.ips[0])
    for n, i in enumerate(fakes):
        user = users[i]
        device, ip = ring.devices[n % len(ring.devices)], rng.choice(ring.ips)
        act.register(user, "170")
        act.session(user, user.reg + rng.randrange(20, 300), device, ip)
        t = user.reg + rng.randrange(600, 20 * HOUR)
        act.order(user, t, device, ip, rng.choice(ring.accounts), ring.addresses[0],
                  cents=rng.randrange(990, 4_000))


def _farm_orders(act: Activity, ring: Ring, i: int, count: tuple[int, int],
                 cents: tuple[int, int] | None, refund_after: bool) -> None:
    """Sessions and orders of a farmed account on the ring's devices, IPs and cards."""
    rng, user = act.rng, act.users[i]
    t = user.reg + rng.randrange(1_800, 22 * HOUR)
    for _ in range(rng.randint(*count)):
        device, ip = rng.choice(ring.devices), rng.choice(ring.ips)
        if refund_after and rng.random() < 0.4:  # evasion: a carrier IP now and then
            ip = ipv4(112, rng.randrange(act.world.carriers))
        act.session(user, t - rng.randrange(60, 900), device, ip)
        amount = rng.randrange(*cents) if cents else None
        refund = (rng.randrange(9 * DAY, 20 * DAY), 10**9) if refund_after else None
        act.order(user, t, device, ip, rng.choice(ring.accounts), rng.choice(ring.addresses),
                  cents=amount, refund=refund)
        t += rng.randrange(HOUR, 6 * DAY)


def _device_farm(act: Activity, ring: Ring) -> None:
    organiser, *accounts = ring.members
    act.register(act.users[organiser])
    act.member_life(organiser, act.rng.randint(0, 2))
    _farm_orders(act, ring, organiser, (1, 2), None, False)
    for i in accounts:
        act.register(act.users[i], "171")
        act.session(act.users[i], act.users[i].reg + 60, act.rng.choice(ring.devices),
                    act.rng.choice(ring.ips))
        _farm_orders(act, ring, i, (1, 4), None, False)


def _refund_after_payout(act: Activity, ring: Ring) -> None:
    organiser, *accounts = ring.members
    act.register(act.users[organiser])
    act.member_life(organiser, 1)
    for i in accounts:
        act.register(act.users[i], "172")
        _farm_orders(act, ring, i, (1, 3), (30_000, 300_000), True)


def _self_referral(act: Activity, ring: Ring) -> None:
    rng, users = act.rng, act.users
    person, *others = ring.members
    act.register(users[person])
    phone, home_ip = f"d{person}", ipv4(37, person)
    account, address = f"pay{person}", f"a{person}"
    for _ in range(rng.randint(2, 6)):
        t = rhythm_time(rng, max(START, users[person].reg + 60), END)
        carrier = ipv4(112, rng.randrange(act.world.carriers))
        act.session(users[person], t, phone, rng.choice((home_ip, carrier)))
    for _ in range(rng.randint(0, 3)):
        t = rhythm_time(rng, max(START, users[person].reg + 60), END)
        act.order(users[person], t, phone, home_ip, account, address)
    for i in others:
        user = users[i]
        act.register(user, "13")
        act.session(user, user.reg + 60, phone, home_ip)
        t = user.reg + (rng.randrange(HOUR, 20 * HOUR) if rng.random() < 0.6
                        else rng.randrange(DAY, 10 * DAY))
        for _ in range(rng.randint(1, 3)):
            act.session(user, t - 300, phone, home_ip)
            act.order(user, t, phone, home_ip, account, address)
            t = rhythm_time(rng, t + DAY, t + 12 * DAY)


def _collusion(act: Activity, ring: Ring) -> None:
    rng, users = act.rng, act.users
    for i in ring.members:
        act.register(users[i])
        act.member_life(i, rng.randint(0, 2))
    rounds = sorted(rng.randrange(ring.start + 15 * DAY, END - DAY)
                    for _ in range(rng.randint(4, 8)))
    for moment in rounds:
        for i in ring.members:
            if rng.random() < 0.85 and users[i].reg < moment:
                t = max(users[i].reg + 600, moment + int(rng.gauss(0, 900)))
                ip = ipv4(112, rng.randrange(act.world.carriers))
                address = rng.choice(ring.addresses) if rng.random() < 0.7 else f"a{i}"
                act.session(users[i], t - 120, f"d{i}", ip)
                act.order(users[i], t, f"d{i}", ip, f"pay{i}", address)


def _camouflaged(act: Activity, ring: Ring) -> None:
    rng, users, world = act.rng, act.users, act.world
    for i in ring.members:
        user = users[i]
        act.register(user)
        begin = max(START, user.reg + 60)
        house = user.household
        home_ip = ipv4(36, house) if house >= 0 else ipv4(37, i)
        home = f"h{house}" if house >= 0 else f"a{i}"
        card = f"fam{house}" if house >= 0 and world.family_card[house] else f"pay{i}"
        own = [f"d{i}"] + ([f"tab{house}"] if house >= 0 else [])
        for n in range(rng.randint(3, 8)):
            device = rng.choice(ring.devices) if rng.random() < 0.5 else rng.choice(own)
            ip = rng.choice(ring.ips) if ring.ips and rng.random() < 0.6 else home_ip
            t = user.reg + 30 if n == 0 else rhythm_time(rng, begin, END)
            act.session(user, t, device, ip)
        for _ in range(rng.randint(2, 5)):
            t = rhythm_time(rng, begin, END)
            device = rng.choice(ring.devices) if rng.random() < 0.5 else rng.choice(own)
            account = ring.accounts[0] if rng.random() < 0.5 else card
            address = rng.choice((home, f"lk{(i * 7919) % world.lockers}"))
            act.order(user, t, device, rng.choice(ring.ips) if ring.ips else home_ip, account,
                      address)


_BY_KIND: dict[str, Callable[[Activity, Ring], None]] = {
    "invite_farm": _invite_farm,
    "device_farm": _device_farm,
    "refund_after_payout": _refund_after_payout,
    "self_referral": _self_referral,
    "collusion": _collusion,
    "camouflaged": _camouflaged,
}
