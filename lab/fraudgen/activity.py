"""The events of a mall: registrations, sessions and orders, and the lives of benign users."""

import random
from typing import Any

from lab.fraudgen.blueprints import User, World, ipv4
from lab.fraudgen.clock import DAY, END, HOUR, START, Clock, rhythm_time

CATEGORIES = ("beauty", "food", "apparel", "electronics", "home", "baby", "sports")


class Activity:
    """Writes the events of every account; holds the id counters and the clock."""

    def __init__(self, rng: random.Random, users: list[User], world: World) -> None:
        self.rng, self.users, self.world = rng, users, world
        self.clock = Clock()
        self.out: list[tuple[int, int, dict[str, Any]]] = []
        self.orders = 0

    def events(self) -> list[dict[str, Any]]:
        """The events written so far, sorted by time (ties in the order they were written)."""
        self.out.sort(key=lambda entry: (entry[0], entry[1]))
        return [event for _, _, event in self.out]

    def emit(self, t: int, event: dict[str, Any]) -> None:
        """Keeps an event that happens inside the window (later ones have not happened)."""
        if t < END:
            event["at"] = self.clock.iso(t)
            self.out.append((t, len(self.out), event))

    def register(self, user: User, phone_prefix: str = "13") -> None:
        """The user_registered event of a blueprint."""
        inviter = self.users[user.inviter].uid if user.inviter >= 0 else None
        event: dict[str, Any] = {"type": "user_registered", "user_id": user.uid}
        if inviter:
            event["invited_by"] = inviter
        event["phone"] = f"+86{phone_prefix}{self.rng.randrange(10**9):09d}"
        self.emit(user.reg, event)

    def session(self, user: User, t: int, device: str, ip: str) -> None:
        """One login."""
        self.emit(t, {"type": "session", "user_id": user.uid, "device_id": device, "ip": ip})

    def order(self, user: User, t: int, device: str, ip: str, account: str, address: str,
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

    def benign(self, index: int) -> None:
        """Registration, sessions and orders of one ordinary user."""
        rng, user, world = self.rng, self.users[index], self.world
        self.register(user)
        phone = f"d{index}"
        pc = f"p{index}" if rng.random() < 0.3 else None
        house = user.household
        home_ip = ipv4(36, house if house >= 0 else len(world.households) + index)
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
                return device, ipv4(112, rng.randrange(world.carriers))
            return device, home_ip

        if user.reg >= START:
            self.session(user, user.reg + 30, phone, ipv4(112, rng.randrange(world.carriers)))
        for _ in range(rng.choices((0, 1, 2, 3, 4, 6, 9), (10, 20, 22, 18, 14, 10, 6))[0]):
            self.session(user, rhythm_time(rng, begin, END), *where())
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
                t = rhythm_time(rng, t, t + 1) if quick else rhythm_time(rng, t, t + DAY)
            else:
                t = rhythm_time(rng, begin, END)
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

    def member_life(self, index: int, orders: int) -> None:
        """An ordinary life for a ring member who also behaves normally (own phone, card)."""
        rng, user = self.rng, self.users[index]
        begin = max(START, user.reg + 60)
        ip_home = ipv4(37, index)
        for _ in range(rng.randint(1, 4)):
            self.session(user, rhythm_time(rng, begin, END), f"d{index}",
                         rng.choice((ip_home, ipv4(112, rng.randrange(self.world.carriers)))))
        for _ in range(orders):
            t = rhythm_time(rng, begin, END)
            self.order(user, t, f"d{index}", ip_home, f"pay{index}",
                       rng.choice((f"a{index}", f"lk{(index * 7919) % self.world.lockers}")))
