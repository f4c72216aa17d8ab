"""Fraud that hides among the look-alikes: device farms, self-referral pairs and triads,
camouflaged rings, invite farms and refund-after-rebate rings.

Accounts scripted wholly by their ring get script "ring"; organisers, a self-referrer's
first account and camouflaged members also live an ordinary life (written with the honest
ones) beside what the ring makes them do. `camouflage` (0..1) thins out what ring members
share and spreads their sign-ups."""

import random
from collections.abc import Callable

from lab.worlds.kit import DAY, END, HOUR, START, Network, basket, moment
from lab.worlds.people import Account, Home, Person, pay_with, ship_to, where
from lab.worlds.settings import FRAUD_SIZES, WorldSettings
from lab.worlds.world import World


def plan(settings: WorldSettings, users: int, rng: random.Random) -> list[tuple[str, int]]:
    """(kind, size) of every ring: each kind takes its share of the fraudulent accounts."""
    fraud = round(users * settings.fraud_share)
    total = sum(settings.mix.values()) or 1.0
    rings = []
    for kind, (lo, hi) in FRAUD_SIZES.items():
        share = settings.mix.get(kind, 0.0)
        budget = max(lo, round(fraud * share / total)) if share > 0 else 0
        while budget >= lo:
            size = min(budget, rng.randint(lo, hi))
            rings.append((kind, size))
            budget -= size
    return rings


def plant(world: World, kind: str, size: int) -> None:
    """Plants one ring of `kind` and writes what its accounts do as a ring."""
    members = _BY_KIND[kind](world, size)
    world.rings.append((kind, members))


def _person(world: World, family: float = 0.0, campus: float = 0.0) -> Person:
    """A ring member's own person: in a campus dorm, in an honest family's home, or alone."""
    rng = world.rng
    person = world.person()
    if world.rooms and rng.random() < campus:
        person.place, person.room = rng.choice(world.rooms)
    elif world.households and rng.random() < family:
        home, _ = rng.choice(world.households)
        person.home = home
    else:
        person.home = world.home()
    if world.lockers and rng.random() < world.settings.locker_share:
        person.locker = rng.choice(world.lockers)[0]
    return person


def _join(world: World, account: Account) -> None:
    """Lists the account where its person lives (the labels leave it out of honest groups)."""
    person = account.person
    if person.place:
        person.place.members.append(account)
    if person.home is not None and id(person.home) in world.family_of:
        world.family_of[id(person.home)].append(account)


def _organiser(world: World, kind: str, before: int, family: float = 0.0,
               old: float = 0.7) -> Account:
    """The ring's own first account: often older, sometimes invited by an honest user."""
    rng = world.rng
    person = _person(world, family=family)
    registered = world.old_time() if rng.random() < old else world.new_time(START, before)
    honest = [a for a in rng.sample(world.accounts, min(20, len(world.accounts)))
              if a.role == "" and a.registered < registered]
    inviter = honest[0] if honest and rng.random() < 0.5 else None
    account = world.account(person, registered, inviter, kind)
    _join(world, account)
    return account


def _fake(world: World, kind: str, operator: Person, t: int, inviter: Account) -> Account:
    """An account the ring's operator made at t (after its inviter), scripted by the ring."""
    account = world.account(operator, max(t, inviter.registered + 60), inviter, kind)
    account.script = "ring"
    return account


def _ip(rng: random.Random, net: Network, line: Home, t: int, roam: float) -> str:
    """The ring's line at t, or a carrier NAT IP with probability `roam`."""
    return net.carrier_ip() if rng.random() < roam else line.ip_at(t)


def _device_farm(world: World, size: int) -> list[Account]:
    """8+ accounts on one phone, paying with one card, shipping to one address (the farm's
    own, or a public parcel locker)."""
    rng, c, net, log = world.rng, world.settings.camouflage, world.net, world.journal
    start = rng.randrange(START + 2 * DAY, END - 14 * DAY)
    boss = _organiser(world, "device_farm", start)
    line = world.home()
    phone, card = world.minter.new("dev"), world.minter.new("pay")
    drop = (rng.choice(world.lockers)[0] if world.lockers and rng.random() < 0.2 + 0.4 * c
            else line.address)
    operator = Person(phone=phone, card=card, home=line)
    spread = int(DAY * rng.uniform(0.3, 2 + 12 * c))
    accounts = [boss]
    log.session(boss.uid, max(boss.registered, start) + 60, phone, line.ip_at(start))
    for t in sorted(start + rng.randrange(spread) for _ in range(size - 1)):
        inviter = boss if rng.random() < 0.6 else rng.choice(accounts)
        fake = _fake(world, "device_farm", operator, t, inviter)
        accounts.append(fake)
        t = fake.registered
        log.session(fake.uid, t + rng.randrange(30, 600), phone,
                    _ip(rng, net, line, t, 0.2 + 0.5 * c))
        t += rng.randrange(20 * 60, 20 * HOUR)
        for n in range(rng.randint(1, 3)):
            ip = _ip(rng, net, line, t, 0.2 + 0.5 * c)
            log.session(fake.uid, t - rng.randrange(60, 900), phone, ip)
            log.order(fake.uid, t, phone, ip, card, drop,
                      basket(rng, deal=n == 0 and rng.random() < 0.7))
            t += rng.randrange(DAY, 8 * DAY)
    return accounts


def _invite_farm(world: World, size: int) -> list[Account]:
    """10-40 accounts signed up in a burst through one link, chained for every tier, on
    emulators (often a fresh device id each), behind a proxy, one card or two, one drop."""
    rng, c, net, log = world.rng, world.settings.camouflage, world.net, world.journal
    day = (world.new_time(START + DAY, END - 7 * DAY) - START) // DAY
    start = START + day * DAY + rng.randrange(2 * HOUR, 14 * HOUR)
    boss = _organiser(world, "invite_farm", start)
    fresh = rng.random() < 0.4 + 0.4 * c
    emulators = [world.minter.new("dev") for _ in range(1 + size // 10)]
    proxies = [Network.proxy(rng) for _ in range(rng.randint(1, 2))]
    cards = [world.minter.new("pay") for _ in range(rng.randint(1, 2))]
    drop = (rng.choice(world.lockers)[0] if world.lockers and rng.random() < 0.3 + 0.3 * c
            else world.minter.new("addr"))
    operator = Person(phone=emulators[0], card=cards[0])
    span = int(HOUR * rng.uniform(0.5, 2 + 10 * c))
    accounts = [boss]
    for n, t in enumerate(sorted(start + rng.randrange(span) for _ in range(size - 1))):
        fake = _fake(world, "invite_farm", operator, t, accounts[n // 3])
        accounts.append(fake)
        device = world.minter.new("dev") if fresh else emulators[n % len(emulators)]
        t = fake.registered + rng.randrange(20, 300)
        for k in range(1 if rng.random() < 0.75 else 2):
            ip = net.carrier_ip() if rng.random() < 0.5 * c else rng.choice(proxies)
            log.session(fake.uid, t, device, ip)
            t += rng.randrange(30 * 60, 20 * HOUR) if k == 0 else rng.randrange(DAY, 6 * DAY)
            log.order(fake.uid, t, device, ip, rng.choice(cards), drop, basket(rng, deal=True))
    return accounts


def _self_referral(world: World, size: int) -> list[Account]:
    """One person's 2-3 accounts, made hours to days apart, on the same phone and/or card,
    address and home line; the first invites the second (which may invite the third)."""
    rng, c, log = world.rng, world.settings.camouflage, world.journal
    main = _organiser(world, "self_referral", END - 10 * DAY, family=0.3 + 0.3 * c, old=0.15)
    person = main.person
    for _ in range(rng.randint(1, 2)):  # the first account has shopped, on its own card
        t = moment(rng, max(START, main.registered + HOUR), END - 5 * DAY)
        device, ip = where(rng, world.net, person, t)
        log.session(main.uid, t - rng.randrange(60, 900), device, ip)
        log.order(main.uid, t, device, ip, person.card, ship_to(rng, person), basket(rng))
    same_phone = rng.random() < 0.85 - 0.3 * c
    device = person.phone if same_phone else world.minter.new("dev")  # else an old phone
    card = person.card if not same_phone or rng.random() < 0.65 else world.minter.new("pay")
    address = ship_to(rng, person) if rng.random() < 0.9 else world.minter.new("addr")
    t = (main.registered + rng.randrange(HOUR, 4 * DAY) if main.registered >= START
         else rng.randrange(START, END - 5 * DAY))
    accounts = [main]
    for _ in range(size - 1):
        inviter = accounts[-1] if rng.random() < 0.5 else main
        other = world.account(person, max(t, inviter.registered + 60), inviter, "self_referral")
        other.script = "ring"
        _join(world, other)
        accounts.append(other)
        when = other.registered + rng.randrange(30, 600)
        log.session(other.uid, when, device, _where_ip(world, person, when))
        when += (rng.randrange(HOUR, 20 * HOUR) if rng.random() < 0.7
                 else rng.randrange(DAY, 8 * DAY))
        for n in range(rng.randint(1, 3)):
            ip = _where_ip(world, person, when)
            log.session(other.uid, when - rng.randrange(60, 900), device, ip)
            log.order(other.uid, when, device, ip, card, address, basket(rng, deal=n == 0))
            when = moment(rng, when + DAY, when + 12 * DAY)
        t = other.registered + rng.randrange(HOUR, 4 * DAY)
    return accounts


def _where_ip(world: World, person: Person, t: int) -> str:
    """Home line most of the time, else wherever the phone is."""
    if person.home and world.rng.random() < 0.7:
        return person.home.ip_at(t)
    return where(world.rng, world.net, person, t)[1]


def _camouflaged(world: World, size: int) -> list[Account]:
    """People with their own phones, cards and homes, behind campus and carrier NAT, in real
    families, with honest invitees, who now and then share work phones, a card and a drop
    address, and buy in rounds on flash deals with normal baskets."""
    rng, c, net, log = world.rng, world.settings.camouflage, world.net, world.journal
    start = rng.randrange(START + DAY, END - 21 * DAY)
    accounts: list[Account] = []
    for _ in range(size):
        person = _person(world, family=0.5 * c, campus=0.6 * c)
        person.behind_cgnat = rng.random() < 0.5 + 0.5 * c
        registered = (world.old_time() if rng.random() < 0.3
                      else start + rng.randrange(int(DAY * (5 + 25 * c))))
        accounts.append(world.account(person, registered, role="camouflaged"))
    accounts.sort(key=lambda a: a.registered)
    honest = [a for a in world.honest_newcomers() if a.registered > accounts[0].registered]
    rng.shuffle(honest)
    for n, account in enumerate(accounts):
        _join(world, account)
        if n and rng.random() < 1 - 0.3 * c:
            account.inviter = rng.choice(accounts[:n])
        else:
            account.inviter = next((a for a in rng.sample(world.accounts, 20)
                                    if a.role == "" and a.registered < account.registered), None)
        for _ in range(rng.randint(0, 3)):  # honest friends signed up through the member
            if honest and honest[-1].registered > account.registered:
                honest.pop().inviter = account
    phones = [world.minter.new("dev") for _ in range(max(1, size // 5))]
    card, drop = world.minter.new("pay"), world.minter.new("addr")
    share = 0.5 * (1 - c) + 0.12
    rounds = sorted(moment(rng, start + 7 * DAY, END - DAY) for _ in range(rng.randint(4, 8)))
    for account in accounts:
        person = account.person
        for _ in range(1 + round(3 * (1 - c))):  # time on a work phone
            t = moment(rng, max(START, account.registered + 60), END)
            log.session(account.uid, t, rng.choice(phones), where(rng, net, person, t)[1])
        for moment_ in rounds:
            if moment_ <= account.registered or rng.random() > 0.8:
                continue
            t = moment_ + int(rng.gauss(0, 600))
            device, ip = where(rng, net, person, t)
            device = rng.choice(phones) if rng.random() < share + 0.05 else device
            log.session(account.uid, t - rng.randrange(60, 600), device, ip)
            log.order(account.uid, t, device, ip,
                      card if rng.random() < share else pay_with(rng, person),
                      drop if rng.random() < share else ship_to(rng, person), basket(rng))
    return accounts


def _refund_after_payout(world: World, size: int) -> list[Account]:
    """Accounts chained under an organiser buy big and refund after the rebate is paid."""
    rng, c, net, log = world.rng, world.settings.camouflage, world.net, world.journal
    start = rng.randrange(START + 2 * DAY, END - 30 * DAY)
    boss = _organiser(world, "refund_after_payout", start)
    line = world.home()
    phones = [world.minter.new("dev") for _ in range(rng.randint(1, 2))]
    cards = [world.minter.new("pay") for _ in range(rng.randint(1, 2))]
    operator = Person(phone=phones[0], card=cards[0], home=line)
    accounts = [boss]
    for n, t in enumerate(sorted(start + rng.randrange(3 * DAY) for _ in range(size - 1))):
        fake = _fake(world, "refund_after_payout", operator, t,
                     accounts[0] if n < 2 else accounts[-1])
        accounts.append(fake)
        t = fake.registered + rng.randrange(HOUR, 3 * DAY)
        for _ in range(rng.randint(1, 3)):
            phone, ip = rng.choice(phones), _ip(rng, net, line, t, 0.2 + 0.5 * c)
            address = (rng.choice(world.lockers)[0] if world.lockers and rng.random() < 0.5 * c
                       else line.address)
            refund = ((rng.randrange(9 * DAY, 22 * DAY), 10**9) if rng.random() > 0.3 * c
                      else None)
            log.session(fake.uid, t - rng.randrange(60, 900), phone, ip)
            log.order(fake.uid, t, phone, ip, rng.choice(cards), address,
                      basket(rng, big=True), refund)
            t += rng.randrange(DAY, 6 * DAY)
    return accounts


_BY_KIND: dict[str, Callable[[World, int], list[Account]]] = {
    "device_farm": _device_farm,
    "self_referral": _self_referral,
    "camouflaged": _camouflaged,
    "invite_farm": _invite_farm,
    "refund_after_payout": _refund_after_payout,
}
