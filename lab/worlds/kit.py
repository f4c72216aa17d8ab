"""The parts every world shares: its calendar, opaque ids, IP sources, baskets and the journal
the events are written into."""

import ipaddress
import math
import random
import time
from datetime import UTC, datetime
from itertools import accumulate
from typing import Any

HOUR, DAY, WEEK = 3_600, 86_400, 7 * 86_400
START = int(datetime(2026, 4, 6, tzinfo=UTC).timestamp())  # a Monday
END = START + 9 * WEEK
LOCAL = 8 * HOUR  # shoppers live at UTC+8; the events are stamped in UTC
# Relative activity by local hour: quiet nights, a lunch bump, a long evening.
_BUSY = (3, 2, 1, 1, 1, 1, 2, 3, 5, 6, 6, 7, 9, 7, 6, 6, 6, 7, 9, 11, 13, 13, 10, 6)
_BUSY_CUM = list(accumulate(_BUSY))
SHELVES = ("grocery", "snacks", "cosmetics", "clothing", "shoes", "phones", "kitchen",
           "toys", "books", "pets", "outdoor")


def moment(rng: random.Random, lo: int, hi: int) -> int:
    """A time in [lo, hi), on a busy local hour when the span covers whole days."""
    if hi - lo < 2 * DAY:
        return rng.randrange(lo, max(lo + 1, hi))
    day = (rng.randrange(lo, hi) + LOCAL) // DAY
    hour = rng.choices(range(24), cum_weights=_BUSY_CUM)[0]
    t = day * DAY - LOCAL + hour * HOUR + rng.randrange(HOUR)
    return t if lo <= t < hi else rng.randrange(lo, hi)


def local_hour(t: int) -> int:
    """The shopper's hour of day (0..23) at epoch second t."""
    return (t + LOCAL) % DAY // HOUR


def workday(t: int) -> bool:
    """Monday to Friday in the shopper's time zone."""
    return ((t + LOCAL) // DAY + 3) % 7 < 5  # 1970-01-01 was a Thursday


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; a rounded normal for large means)."""
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def stamp(t: int) -> str:
    """Epoch seconds as ISO 8601 in UTC, e.g. 2026-04-06T09:15:00Z."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


class Minter:
    """Opaque, unique ids: a prefix for the identifier type and random hex (never the role)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng, self.seen = rng, set[str]()

    def new(self, prefix: str) -> str:
        """A fresh id such as dev-3fa94c0e21b."""
        while True:
            made = f"{prefix}-{self.rng.getrandbits(44):011x}"
            if made not in self.seen:
                self.seen.add(made)
                return made


class Network:
    """Where IPs come from: carrier-grade NAT pools, home broadband (rotating) and IPv6."""

    def __init__(self, rng: random.Random, users: int) -> None:
        self.rng = rng
        # A carrier NAT IP carries a few thousand subscribers over the weeks.
        self.carrier = [f"117.{136 + k // 250}.{k % 250}.{rng.randrange(1, 255)}"
                        for k in range(max(3, users // 5_000))]
        self.broadband_pool = max(20_000, users * 200)  # a home's old IP comes back, rarely
        self.v6: dict[tuple[str, int], str] = {}

    def carrier_ip(self) -> str:
        """One of the carrier NAT's public IPs."""
        return self.rng.choice(self.carrier)

    def phone_v6(self, device: str, t: int) -> str:
        """The IPv6 address a phone holds in the week of t (its prefix changes weekly)."""
        key = (device, t // WEEK)
        made = self.v6.get(key)
        if made is None:
            made = str(ipaddress.IPv6Address((0x2408_8400 << 96) | self.rng.getrandbits(64)))
            self.v6[key] = made
        return made

    def broadband(self) -> str:
        """A home broadband IP drawn from the ISP's pool."""
        n = self.rng.randrange(self.broadband_pool)
        return f"{58 + n // 2**22}.{(n >> 14) & 255}.{(n >> 6) & 255}.{4 * (n & 63) + 1}"

    def lease_plan(self) -> list[tuple[int, str]]:
        """(from, ip) leases of one home line across the weeks: a new IP every 5-20 days."""
        plan, t = [(START - 400 * DAY, self.broadband())], START - self.rng.randrange(20 * DAY)
        while t < END:
            plan.append((t, self.broadband()))
            t += self.rng.randrange(5 * DAY, 20 * DAY)
        return plan

    @staticmethod
    def proxy(rng: random.Random) -> str:
        """A datacenter proxy IP, as farms rent."""
        return f"{rng.choice((45, 103, 185))}.{rng.randrange(256)}.{rng.randrange(256)}." \
               f"{rng.randrange(1, 255)}"


def basket(rng: random.Random, deal: bool = False, big: bool = False) -> list[int]:
    """Item amounts in cents: a new-user deal (one cheap item), an ordinary basket or a big
    one (a phone, appliances: what refund schemes buy)."""
    if deal:
        return [rng.choice((990, 1_290, 1_990, 2_990, 3_900))]
    if big:
        return [rng.randrange(40_000, 320_000) for _ in range(rng.choice((1, 1, 2)))]
    return [max(300, min(400_000, int(rng.lognormvariate(8.4, 1.0))))
            for _ in range(rng.choices((1, 2, 3, 4), (55, 27, 12, 6))[0])]


class Journal:
    """The events of a world, kept with their times and sorted at the end."""

    def __init__(self, rng: random.Random, minter: Minter) -> None:
        self.rng, self.minter = rng, minter
        self.entries: list[tuple[int, int, dict[str, Any]]] = []

    def add(self, t: int, event: dict[str, Any]) -> None:
        """Keeps an event that falls before the end of the weeks."""
        if t < END:
            event["at"] = stamp(t)
            self.entries.append((t, len(self.entries), event))

    def register(self, uid: str, t: int, inviter: str | None) -> None:
        """A user_registered event (with a phone number)."""
        event: dict[str, Any] = {"type": "user_registered", "user_id": uid, "at": ""}
        if inviter:
            event["invited_by"] = inviter
        event["phone"] = f"+861{self.rng.choice('3456789')}{self.rng.randrange(10**9):09d}"
        self.add(t, event)

    def session(self, uid: str, t: int, device: str, ip: str) -> None:
        """A session event."""
        self.add(t, {"type": "session", "user_id": uid, "device_id": device, "ip": ip})

    def order(self, uid: str, t: int, device: str, ip: str, card: str, address: str,
              items: list[int], refund: tuple[int, int] | None = None) -> None:
        """An order_paid, then its refund (delay, cents) or its completion."""
        order_id = self.minter.new("ord")
        self.add(t, {"type": "order_paid", "order_id": order_id, "user_id": uid,
                     "amount_cents": sum(items), "currency": "CNY",
                     "items": [{"sku": f"sku-{self.rng.randrange(20_000)}",
                                "category": self.rng.choice(SHELVES), "amount_cents": cents}
                               for cents in items],
                     "device_id": device, "ip": ip, "payment_account": card,
                     "shipping_address": address})
        if refund is not None:
            delay, cents = refund
            self.add(t + delay, {"type": "order_refunded", "order_id": order_id,
                                 "refund_id": self.minter.new("rfd"),
                                 "amount_cents": max(1, min(cents, sum(items)))})
        else:
            self.add(t + self.rng.randrange(2 * DAY, 12 * DAY),
                     {"type": "order_completed", "order_id": order_id})

    def events(self) -> list[dict[str, Any]]:
        """The events by time (ties in the order they were written)."""
        self.entries.sort(key=lambda e: (e[0], e[1]))
        return [event for _, _, event in self.entries]
