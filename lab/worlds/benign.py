"""The honest population and its look-alikes of fraud: influencers (KOLs) with thousands of
invitees, street and campus promotions, resellers, households, dorms and offices behind NAT,
parcel lockers, and the invite links among them."""

import math
import random
from dataclasses import dataclass

from lab.worlds.kit import DAY, END, HOUR, LOCAL, START
from lab.worlds.people import Account, Person, Place
from lab.worlds.world import World


@dataclass(eq=False)
class Promotion:
    """A promoter signing people up on his own phone: at a campus or in the street."""

    promoter: Account
    members: list[Account]
    at_campus: bool


def populate(world: World, n: int) -> None:
    """Plants n honest accounts, their places and their invite links."""
    people: list[Person] = []
    promotions = _roles(world, n, people)
    _campuses_and_offices(world, people, promotions)
    for promo in promotions:
        promoter = promo.promoter.person
        ip = (promo.members[0].person.place.ips[0]
              if promo.at_campus and promo.members[0].person.place
              else world.net.phone_v6(promoter.phone, promo.members[0].registered))
        for member in promo.members:
            member.stage = (promoter.phone, ip)
    _households(world, people, n)
    for person in people:
        if person.home is None and person.room is None:
            person.home = world.home()
        if person.home and world.rng.random() < 0.25:
            person.pc = world.minter.new("dev")
    _lockers(world, people)
    _customers(world, people)
    _invite_tree(world)


def _roles(world: World, n: int, people: list[Person]) -> list[Promotion]:
    """The accounts of KOLs and their invitees, promoters and the people they sign up,
    resellers (some with a shop account) and everybody else."""
    rng, s = world.rng, world.settings

    def new(registered: int, inviter: Account | None = None, script: str = "") -> Account:
        person = world.person()
        people.append(person)
        account = world.account(person, registered, inviter)
        account.script = script
        return account

    sizes: list[int] = []
    target = round(n * s.promotion_intensity)
    while sum(sizes) + 10 <= target:
        sizes.append(min(rng.randint(10, 40), target - sum(sizes)))
    resellers = round(n * s.reseller_share)
    shops = [rng.random() < 0.3 for _ in range(resellers)]
    kols = min(s.kols, n // 100)
    fixed = kols + math.ceil(len(sizes) / 1.5) + sum(sizes) + resellers + sum(shops)
    followers = [rng.randint(800, 3_000) for _ in range(kols)]
    room = max(0, min(n * kols // 20, n // 3, n - fixed - n // 3))
    if sum(followers) > room:
        followers = [f * room // sum(followers) for f in followers]
    if fixed + sum(followers) > n:
        raise ValueError(f"{n} honest accounts are too few for these settings")
    world.groups = {"kol": [], "promotion": [], "reseller": []}
    for count in followers:  # invitees arrive in bursts after the KOL's posts
        kol = new(world.old_time())
        posts = [world.new_time(START, END - 3 * DAY) for _ in range(rng.randint(3, 8))]
        invitees = [kol]
        for _ in range(count):
            t = (min(END - DAY, rng.choice(posts) + int(rng.expovariate(1 / (2 * HOUR))) + 1)
                 if rng.random() < 0.65 else world.new_time())
            invitees.append(new(t, kol, "deal" if rng.random() < 0.3 else ""))
        world.groups["kol"].append(invitees)
    promoters = [new(world.old_time()) for _ in range(math.ceil(len(sizes) / 1.5))]
    promotions = []
    for size in sizes:
        promoter = rng.choice(promoters)
        day = (world.new_time(START, END - 3 * DAY) + LOCAL) // DAY
        begin = day * DAY - LOCAL + rng.randrange(10 * HOUR, 19 * HOUR)
        span = rng.choice((1, 2)) * HOUR
        members = [new(t, promoter, rng.choices(("promo", "promo_spot", ""), (40, 25, 35))[0])
                   for t in sorted(begin + rng.randrange(span) for _ in range(size))]
        promotions.append(Promotion(promoter, members, rng.random() < 0.5))
        world.groups["promotion"].append([promoter, *members])
    for shop in shops:  # a reseller buys for customers: one card, many addresses
        reseller = new(world.old_time())
        reseller.person.pace = rng.uniform(1.5, 4.0)
        accounts = [reseller]
        if shop:  # the shop's own account, older or newer, on the same phone and card
            accounts.append(world.account(reseller.person, world.old_time()))
        world.groups["reseller"].append(accounts)
    for _ in range(n - len(world.accounts)):
        old = rng.random() < s.old_share
        new(world.old_time() if old else world.new_time(),
            script="deal" if not old and rng.random() < 0.25 else "")
    return promotions


def _campuses_and_offices(world: World, people: list[Person],
                          promotions: list[Promotion]) -> None:
    """Students in dorm rooms on campuses, and office workers, each place behind its NAT."""
    rng, share = world.rng, world.settings.nat_share
    students, workers = round(len(people) * share * 0.55), round(len(people) * share * 0.45)
    sizes = _chunks(rng, students, 1_000, 3_000)
    campuses = [Place("campus", [_nat_ip(world) for _ in range(rng.randint(2, 4))])
                for _ in sizes]
    capacity = {id(c): size for c, size in zip(campuses, sizes, strict=True)}
    taken: set[int] = set()
    for promo in promotions:  # a campus promotion signs up students of one campus
        room_left = [c for c in campuses if capacity[id(c)] >= len(promo.members)]
        if not promo.at_campus or not room_left:
            promo.at_campus = False
            continue
        campus = rng.choice(room_left)
        capacity[id(campus)] -= len(promo.members)
        for member in promo.members:
            member.person.place = campus
            taken.add(id(member.person))
    free = [p for p in people if id(p) not in taken]
    rng.shuffle(free)
    for campus in campuses:
        for person in free[:capacity[id(campus)]]:
            person.place = campus
        free = free[capacity[id(campus)]:]
    by_place: dict[int, list[Person]] = {}
    for person in people:
        if person.place:
            by_place.setdefault(id(person.place), []).append(person)
    for campus in campuses:
        _dorm_rooms(world, campus, by_place.get(id(campus), []))
    at = 0
    for size in _chunks(rng, workers, 30, 300):
        office = Place("office", [_nat_ip(world)], world.minter.new("addr"))
        world.places.append(office)
        for person in free[at:at + size]:
            person.place = office
        at += size
    world.places.extend(campuses)
    for account in world.accounts:
        if account.person.place:
            account.person.place.members.append(account)


def _dorm_rooms(world: World, campus: Place, students: list[Person]) -> None:
    """Rooms of 4-6 sharing a room address; a roommate's laptop gets borrowed."""
    rng = world.rng
    at = 0
    while at < len(students):
        mates = students[at:at + rng.randint(4, 6)]
        at += len(mates)
        room = world.minter.new("addr")
        world.rooms.append((campus, room))
        laptop = world.minter.new("dev") if rng.random() < 0.3 else None
        for person in mates:
            person.room = room
            person.borrowed = laptop if laptop and rng.random() < 0.5 else None


def _households(world: World, people: list[Person], n: int) -> None:
    """Families of 2-4 sharing a home line, its address, often a tablet and sometimes a card;
    they invite each other, and some sign up together on the family tablet."""
    rng = world.rng
    owners: dict[int, list[Account]] = {}
    for account in world.accounts:
        owners.setdefault(id(account.person), []).append(account)
    pool = [p for p in people if p.room is None]
    rng.shuffle(pool)
    left, at = round(n * world.settings.household_share), 0
    while left >= 2 and at + 4 <= len(pool):
        size = min(left, rng.choices((2, 3, 4), (45, 35, 20))[0])
        home = world.home(tablet=rng.random() < 0.6, card=rng.random() < 0.35)
        accounts = []
        for person in pool[at:at + size]:
            person.home = home
            accounts.extend(owners[id(person)])
        at, left = at + size, left - size
        accounts.sort(key=lambda a: a.registered)
        first, *others = accounts
        together = (first.registered >= START and rng.random() < 0.25 and
                    all(a.inviter is None and a.script in ("", "deal") for a in accounts))
        t = first.registered
        for n_, account in enumerate(others, start=1):
            if together:  # signing up one after the other on the tablet or a phone
                t += rng.randrange(300, 3 * HOUR)
                account.registered = t
                account.stage = (home.tablet or first.person.phone, home.ip_at(t))
            if account.inviter is None and rng.random() < 0.7:
                account.inviter = accounts[rng.randrange(n_)]
        world.households.append((home, accounts))
        world.family_of[id(home)] = accounts


def _lockers(world: World, people: list[Person]) -> None:
    """Parcel lockers, each serving the homes around it (a few dozen, some over a hundred)."""
    rng = world.rng
    homes = list({id(p.home): p.home for p in people if p.home}.values())
    rng.shuffle(homes)
    target = round(len(people) * world.settings.locker_share)
    served: dict[int, list[Account]] = {}
    for account in world.accounts:
        if account.person.home:
            served.setdefault(id(account.person.home), []).append(account)
    at = 0
    while target > 0 and at < len(homes):
        address, size = world.minter.new("addr"), min(160, int(12 * rng.paretovariate(1.5)))
        users: list[Account] = []
        while len(users) < size and at < len(homes):
            for account in served[id(homes[at])]:
                account.person.locker = address
                users.append(account)
            at += 1
        target -= len(users)
        world.lockers.append((address, users))


def _customers(world: World, people: list[Person]) -> None:
    """Each reseller ships to the home addresses of 5-30 customers."""
    rng = world.rng
    homed = [p for p in people if p.home and p.room is None]
    owners: dict[int, list[Account]] = {}
    for account in world.accounts:
        owners.setdefault(id(account.person), []).append(account)
    for group in world.groups["reseller"]:
        customers = rng.sample(homed, min(len(homed), rng.randint(5, 30)))
        addresses = [c.home.address for c in customers if c.home]
        for account in group:
            account.extra = addresses
        group.extend(a for c in customers for a in owners[id(c)] if a not in group)


def _invite_tree(world: World) -> None:
    """Invites for the others: a recent registrant, or someone already popular."""
    rng = world.rng
    order = sorted(world.accounts, key=lambda a: a.registered)
    popular: list[Account] = []
    for rank, account in enumerate(order):
        if (account.inviter is None and rank and account.registered >= START - 300 * DAY
                and rng.random() < 0.35):
            pick = (order[rng.randrange(max(0, rank - 300), rank)] if rng.random() < 0.5
                    or not popular else rng.choice(popular))
            if pick.registered < account.registered:
                account.inviter = pick
                popular.append(pick)
        popular.append(account)


def _chunks(rng: random.Random, total: int, lo: int, hi: int) -> list[int]:
    """Sizes in [lo, hi] adding up to total (one smaller chunk when total < lo)."""
    sizes: list[int] = []
    while total > 0:
        size = min(total, rng.randint(lo, hi))
        if 0 < total - size < lo // 2 and sizes:
            size = total
        sizes.append(size)
        total -= size
    return sizes


def _nat_ip(world: World) -> str:
    rng = world.rng
    return f"202.{rng.randrange(96, 128)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
