"""Generated malls: NDJSON-ready events for demos, tests and benchmarks (seeded, pure).

`demo_mall` is a small mall of ordinary invite trees with one planted ring: accounts on a
couple of shared devices that invite each other three deep, pay from one account, ship to
one address and order within minutes of each other.
"""

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

CATEGORIES = ("beauty", "food", "apparel", "electronics", "home")
START = datetime(2026, 9, 1, tzinfo=UTC)


def _at(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _order(rng: random.Random, order_id: str, user_id: str, at: datetime, device: str,
           ip: str, account: str, address: str, max_items: int = 3) -> dict[str, Any]:
    items = []
    for _ in range(rng.randint(1, max_items)):
        items.append({"sku": f"sku{rng.randint(1, 500)}", "category": rng.choice(CATEGORIES),
                      "amount_cents": rng.randint(5, 400) * 100 + rng.choice((0, 50, 99))})
    return {"type": "order_paid", "order_id": order_id, "user_id": user_id,
            "amount_cents": sum(i["amount_cents"] for i in items), "currency": "CNY",
            "items": items, "device_id": device, "ip": ip, "payment_account": account,
            "shipping_address": address, "at": _at(at)}


def demo_mall(users: int = 300, seed: int = 7) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Events of a small mall and the labels of its planted ring."""
    rng = random.Random(seed)
    events: list[dict[str, Any]] = []
    ids: list[str] = []
    t = START
    for n in range(users):
        user_id = f"m{n:05d}"
        # Preferential attachment: a few users invite many, chains run deeper than three.
        inviter = None
        roll = rng.random()
        if ids and roll < 0.25:  # early users are super-inviters (heavy tail)
            inviter = ids[min(int(rng.paretovariate(1.2)) - 1, len(ids) - 1)]
        elif ids and roll < 0.9:  # recent users invite friends: chains run deep
            inviter = rng.choice(ids[-25:])
        t += timedelta(minutes=rng.randint(1, 90))
        events.append({"type": "user_registered", "user_id": user_id, "invited_by": inviter,
                       "at": _at(t), "level": rng.choice((0, 0, 0, 1, 2)),
                       "phone": f"+86138{rng.randint(0, 99_999_999):08d}"})
        ids.append(user_id)
        device, ip = f"dev-{user_id}", f"198.51.{n // 250}.{n % 250 + 1}"
        events.append({"type": "session", "user_id": user_id, "device_id": device, "ip": ip,
                       "at": _at(t + timedelta(minutes=1))})
        for k in range(rng.choice((0, 1, 1, 2, 3))):
            events.append(_order(rng, f"ord-{user_id}-{k}", user_id,
                                 t + timedelta(hours=rng.randint(1, 400)), device, ip,
                                 f"pay-{user_id}", f"addr-{user_id}"))
    # The planted ring: an organiser with a chain three deep of fresh accounts beneath.
    organiser = rng.choice(ids[: users // 3])
    ring = [f"ring{n:02d}" for n in range(12)]
    t = START + timedelta(days=20)
    for n, user_id in enumerate(ring):
        inviter = organiser if n < 3 else ring[(n - 3) // 3]
        events.append({"type": "user_registered", "user_id": user_id, "invited_by": inviter,
                       "at": _at(t + timedelta(minutes=2 * n))})
    for n, user_id in enumerate(ring):
        at = t + timedelta(hours=2, minutes=n)
        events.append({"type": "session", "user_id": user_id, "device_id": f"farm-{n % 2}",
                       "ip": "203.0.113.66", "at": _at(at)})
        events.append(_order(rng, f"ord-{user_id}", user_id, at + timedelta(minutes=3),
                             f"farm-{n % 2}", "203.0.113.66", "pay-ring", "addr-ring", 1))
    labels = {"rings": [{"ring": "planted", "kind": "invite_farm", "organiser": organiser,
                         "members": ring}]}
    return events, labels


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    """Consecutive slices of at most `size` items."""
    for start in range(0, len(items), size):
        yield items[start:start + size]
