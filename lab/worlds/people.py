"""People and their accounts, and how an honest person shops: which device, IP, card and
address each session and order uses."""

import random
from bisect import bisect_right
from dataclasses import dataclass, field

from lab.worlds.kit import (
    DAY,
    END,
    HOUR,
    START,
    WEEK,
    Journal,
    Network,
    basket,
    local_hour,
    moment,
    poisson,
    workday,
)


@dataclass(slots=True, eq=False)
class Home:
    """A home line: its address, broadband leases and what its people share."""

    address: str
    leases: list[tuple[int, str]]
    tablet: str | None = None
    card: str | None = None  # a family card some households share

    def ip_at(self, t: int) -> str:
        """The broadband IP the line holds at t."""
        return self.leases[max(0, bisect_right(self.leases, (t, "~")) - 1)][1]


@dataclass(slots=True, eq=False)
class Place:
    """A campus or an office: NAT IPs shared by everyone there; an office has a front desk."""

    kind: str  # "campus" or "office"
    ips: list[str]
    address: str | None = None
    members: list["Account"] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Person:
    """One human: own phone and card, and the places that shape where they shop from."""

    phone: str
    card: str
    home: Home | None = None
    place: Place | None = None
    room: str | None = None  # a dorm room's address, for students
    locker: str | None = None
    pc: str | None = None
    borrowed: str | None = None  # a roommate's laptop, used now and then
    behind_cgnat: bool = True
    pace: float = 0.25  # orders a week when active


@dataclass(slots=True, eq=False)
class Account:
    """A mall account of a person; `role` is the fraud kind, "" for honest accounts."""

    uid: str
    registered: int
    person: Person
    inviter: "Account | None" = None
    role: str = ""
    script: str = ""  # "deal", "promo", "promo_spot": how it starts; "ring": the ring writes it
    stage: tuple[str, str] | None = None  # (device, ip) it signed up on, if not its own
    extra: list[str] = field(default_factory=list)  # addresses it ships to for others


def where(rng: random.Random, net: Network, person: Person, t: int) -> tuple[str, str]:
    """The device and IP of one session of an honest person at t."""
    roll, home, place = rng.random(), person.home, person.place
    if home and home.tablet and roll < 0.2:
        return home.tablet, home.ip_at(t)
    if person.pc and roll > 0.85:
        at_work = place is not None and place.kind == "office" and workday(t)
        return person.pc, rng.choice(place.ips) if at_work and place else _home_ip(net, person, t)
    if person.borrowed and roll > 0.8:
        return person.borrowed, _place_ip(rng, person)
    if place and (place.kind == "campus" or (workday(t) and 9 <= local_hour(t) < 18)) \
            and rng.random() < 0.6:
        return person.phone, rng.choice(place.ips)
    if home and rng.random() < 0.5:
        return person.phone, home.ip_at(t)
    return person.phone, _mobile(net, person, t)


def _mobile(net: Network, person: Person, t: int) -> str:
    return net.carrier_ip() if person.behind_cgnat else net.phone_v6(person.phone, t)


def _home_ip(net: Network, person: Person, t: int) -> str:
    return person.home.ip_at(t) if person.home else _mobile(net, person, t)


def _place_ip(rng: random.Random, person: Person) -> str:
    return rng.choice(person.place.ips) if person.place else ""


def ship_to(rng: random.Random, person: Person) -> str:
    """Where an honest person has an order sent."""
    if person.locker and rng.random() < 0.7:
        return person.locker
    if person.place and person.place.address and rng.random() < 0.15:
        return person.place.address
    if person.room:
        return person.room
    if person.home:
        return person.home.address
    return person.locker or (person.place.address if person.place else "") or "addr-none"


def pay_with(rng: random.Random, person: Person) -> str:
    """The payment account of an honest order: own card, or the family card now and then."""
    if person.home and person.home.card and rng.random() < 0.35:
        return person.home.card
    return person.card


def honest_order(journal: Journal, rng: random.Random, net: Network, account: Account, t: int,
                 items: list[int] | None = None, address: str | None = None) -> None:
    """A session a few minutes before, then an order, now and then refunded."""
    person = account.person
    device, ip = where(rng, net, person, t)
    journal.session(account.uid, max(account.registered + 1, t - rng.randrange(60, 1_500)),
                    device, ip)
    refund = None
    if rng.random() < 0.05:  # changed minds; a few come back after the return window
        delay = rng.randrange(HOUR, 6 * DAY) if rng.random() < 0.9 else \
            rng.randrange(9 * DAY, 30 * DAY)
        refund = (delay, 10**9 if rng.random() < 0.7 else rng.randrange(200, 3_000))
    journal.order(account.uid, t, device, ip, pay_with(rng, person),
                  address or ship_to(rng, person), items or basket(rng), refund)


def live(journal: Journal, rng: random.Random, net: Network, account: Account,
         orders_scale: float = 1.0) -> None:
    """The sessions and orders of an honest account over the weeks, by its script."""
    person, uid = account.person, account.uid
    begin = max(START, account.registered + 60)
    if begin >= END:
        return
    weeks = (END - begin) / WEEK
    if account.registered >= START:  # signing up; on someone else's device, a second look
        device, ip = account.stage or where(rng, net, person, account.registered)
        for _ in range(2 if account.stage and rng.random() < 0.5 else 1):
            journal.session(uid, account.registered + rng.randrange(10, 600), device, ip)
    script, last_order = account.script, begin
    if script in ("deal", "promo", "promo_spot"):  # a new-user deal within the day
        t = account.registered + rng.randrange(15 * 60, 22 * HOUR)
        if script == "promo_spot" and account.stage:  # placed there, on the promoter's phone
            t = account.registered + rng.randrange(5 * 60, 40 * 60)
            journal.order(uid, t, *account.stage, person.card, ship_to(rng, person),
                          basket(rng, deal=True))
        else:
            honest_order(journal, rng, net, account, t, basket(rng, deal=True))
        last_order = t
        if script != "deal" and rng.random() < 0.5:  # signed up for the gift, then gone
            for _ in range(rng.randint(0, 2)):
                t = moment(rng, begin, END)
                journal.session(uid, t, *where(rng, net, person, t))
            return
    for _ in range(poisson(rng, person.pace * weeks * orders_scale)):
        t = moment(rng, max(begin, last_order if script else begin), END)
        to = rng.choice(account.extra) if account.extra and rng.random() < 0.75 else None
        honest_order(journal, rng, net, account, t, address=to)
    for _ in range(poisson(rng, 0.6 * weeks)):  # browsing without buying
        t = moment(rng, begin, END)
        journal.session(uid, t, *where(rng, net, person, t))
