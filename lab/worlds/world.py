"""A world under construction: its people, accounts, homes, places and lockers, the groups
and rings planted so far, and the shared random source, ids, network and journal."""

import math
import random
from dataclasses import dataclass, field

from lab.worlds.kit import DAY, END, START, Journal, Minter, Network, moment
from lab.worlds.people import Account, Home, Person, Place
from lab.worlds.settings import WorldSettings


@dataclass(eq=False)
class World:
    """Everything planted so far; benign group lists may later gain fraudulent accounts,
    which the labels leave out."""

    settings: WorldSettings
    rng: random.Random
    minter: Minter
    net: Network
    journal: Journal
    accounts: list[Account] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    rooms: list[tuple[Place, str]] = field(default_factory=list)  # dorm rooms: campus, address
    households: list[tuple[Home, list[Account]]] = field(default_factory=list)
    family_of: dict[int, list[Account]] = field(default_factory=dict)  # id(home): accounts
    lockers: list[tuple[str, list[Account]]] = field(default_factory=list)
    groups: dict[str, list[list[Account]]] = field(default_factory=dict)
    rings: list[tuple[str, list[Account]]] = field(default_factory=list)

    @classmethod
    def empty(cls, settings: WorldSettings, users: int, seed: int) -> "World":
        """A world with nothing planted yet."""
        rng = random.Random(seed)
        minter = Minter(rng)
        return cls(settings, rng, minter, Network(rng, users), Journal(rng, minter))

    def person(self, home: Home | None = None) -> Person:
        """A new person with a phone, a card, a pace of shopping and a carrier."""
        rng = self.rng
        return Person(phone=self.minter.new("dev"), card=self.minter.new("pay"), home=home,
                      behind_cgnat=rng.random() < self.settings.nat_share,
                      pace=min(4.0, rng.lognormvariate(math.log(0.22), 0.9)))

    def home(self, tablet: bool = False, card: bool = False) -> Home:
        """A new home line with its address and broadband leases."""
        return Home(address=self.minter.new("addr"), leases=self.net.lease_plan(),
                    tablet=self.minter.new("dev") if tablet else None,
                    card=self.minter.new("pay") if card else None)

    def account(self, person: Person, registered: int, inviter: Account | None = None,
                role: str = "") -> Account:
        """A new account of a person, kept in the world."""
        account = Account(uid=self.minter.new("acct"), registered=registered, person=person,
                          inviter=inviter, role=role)
        self.accounts.append(account)
        return account

    def old_time(self) -> int:
        """A registration time up to two years before the weeks."""
        return START - self.rng.randrange(DAY, 700 * DAY)

    def new_time(self, lo: int = START, hi: int = END - 2 * DAY) -> int:
        """A registration time within [lo, hi), on a busy hour."""
        return moment(self.rng, lo, hi)

    def honest_newcomers(self) -> list[Account]:
        """Honest accounts registered in the weeks with no inviter and no script yet."""
        return [a for a in self.accounts if a.role == "" and a.inviter is None
                and a.registered >= START and a.script in ("", "deal") and a.stage is None]
