"""A large generated mall for benchmarks: heavy-tailed invite trees deeper than three tiers.

Fast and seeded; yields events in an order the ingestion accepts (inviters first).
"""

import random
from datetime import UTC, datetime, timedelta
from typing import Any

START = datetime(2025, 1, 1, tzinfo=UTC)


def invite_forest(users: int, seed: int) -> list[int]:
    """inviter index of each user (-1: no inviter). Mix of super-inviters and deep chains."""
    rng = random.Random(seed)
    inviters = [-1] * users
    for n in range(1, users):
        roll = rng.random()
        if roll < 0.03:
            inviters[n] = -1  # organic sign-up
        elif roll < 0.23:  # early users invite many: a heavy tail
            inviters[n] = min(int(rng.paretovariate(1.1)) - 1, n - 1)
        else:  # friends of recent users: chains run deep
            inviters[n] = n - 1 - int(rng.expovariate(1 / 40)) % n
    return inviters


def user_id(n: int) -> str:
    return f"b{n:07d}"


def events(users: int, orders: int, seed: int) -> tuple[list[dict[str, Any]], list[int]]:
    """Registration events for `users`, then `orders` paid orders; and the invite forest."""
    rng = random.Random(seed + 1)
    inviters = invite_forest(users, seed)
    out: list[dict[str, Any]] = []
    for n in range(users):
        at = START + timedelta(seconds=n * 20)
        event: dict[str, Any] = {"type": "user_registered", "user_id": user_id(n),
                                 "at": at.isoformat()}
        if inviters[n] >= 0:
            event["invited_by"] = user_id(inviters[n])
        if n % 10 == 0:
            event["phone"] = f"+86139{n:08d}"
        out.append(event)
    end = START + timedelta(seconds=users * 20)
    for k in range(orders):
        buyer = rng.randrange(users)
        cents = rng.randint(10, 2000) * 100
        out.append({
            "type": "order_paid", "order_id": f"bo{k:07d}", "user_id": user_id(buyer),
            "amount_cents": cents, "currency": "CNY",
            "items": [{"sku": f"s{rng.randint(1, 5000)}", "category": "home",
                       "amount_cents": cents}],
            "device_id": f"bd{buyer}",
            "ip": f"10.{buyer % 250}.{(buyer // 250) % 250}.{k % 250 + 1}",
            "payment_account": f"bp{buyer}", "shipping_address": f"ba{buyer}",
            "at": (end + timedelta(seconds=k)).isoformat(),
        })
    return out, inviters


def depth_of(inviters: list[int], n: int, limit: int = 100) -> int:
    """How many uplines user n has (counted up to `limit`)."""
    depth = 0
    while inviters[n] >= 0 and depth < limit:
        n = inviters[n]
        depth += 1
    return depth
