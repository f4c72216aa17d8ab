"""Generated malls: NDJSON-ready events for demos, tests and benchmarks (seeded, pure).

`demo_mall` is a small mall of ordinary invite trees with one planted ring: accounts on a
couple of shared devices that invite each other three deep, pay from one account, ship to
one address and order within minutes of each other.

`LEVER_RULES`, `lever_events` and `leaderboard_events` add what shows each growth lever
(lab/demo_levers.py runs them): a three-deep chain `lv-lead > lv-shop > lv-buyer` whose
orders fall in categories of their own (the generated mall's orders are untouched), dated
in the mall's past so that they settle and their points age at once, and invitees of the
current week for the leaderboard.
"""

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

CATEGORIES = ("beauty", "food", "apparel", "electronics", "home")
START = datetime(2026, 9, 1, tzinfo=UTC)
MALL_TZ = timezone(timedelta(hours=8))  # the lever events' dates are China's

# The lever rules, each in a category only the lever orders use. `fresh` settles T+1 and
# pays a level bonus, `furniture` T+7; `flash-sale` pays only from a campaign's budget (a
# 0 bp floor below it, so an item the spent campaign turns away has nothing to fall to:
# `budget_exhausted`); `snacks` pays points.
# What POST /v1/rules stores for the fields a body leaves out.
RULE_DEFAULTS: dict[str, Any] = {
    "kind": "cash", "category": None, "starts_at": None, "ends_at": None, "priority": 0,
    "level_bonus_bp": 0, "return_window_days": None, "settlement_delay_days": None,
    "budget_cents": None}
LEVER_RULES: tuple[dict[str, Any], ...] = tuple({**RULE_DEFAULTS, **rule} for rule in (
    {"id": "demo-fresh-t1", "tiers": [800, 300], "category": "fresh", "level_bonus_bp": 100,
     "return_window_days": 1, "settlement_delay_days": 1},
    {"id": "demo-furniture-t7", "tiers": [800, 300], "category": "furniture",
     "return_window_days": 7, "settlement_delay_days": 7},
    {"id": "demo-flash-campaign", "tiers": [1500, 500], "category": "flash-sale",
     "priority": 10, "budget_cents": 4000},
    {"id": "demo-flash-floor", "tiers": [0], "category": "flash-sale"},
    {"id": "demo-snacks-points", "tiers": [1000, 500], "category": "snacks", "kind": "points"},
))
LEVER_CHAIN = ("lv-lead", "lv-shop", "lv-buyer")
LEVEL_CHANGE = datetime(2026, 9, 15, 12, tzinfo=MALL_TZ)  # lv-shop: level 0 -> 2
# Orders of lv-buyer: (id, category, paid, completed or None), in the order they are paid.
LEVER_ORDERS: tuple[tuple[str, str, datetime, datetime | None], ...] = (
    ("lv-points-old", "snacks", datetime(2025, 6, 10, 10, tzinfo=MALL_TZ),
     datetime(2025, 6, 15, 10, tzinfo=MALL_TZ)),
    ("lv-level-before", "fresh", datetime(2026, 9, 10, 10, tzinfo=MALL_TZ),
     datetime(2026, 9, 14, 10, tzinfo=MALL_TZ)),
    ("lv-points-new", "snacks", datetime(2026, 9, 12, 10, tzinfo=MALL_TZ),
     datetime(2026, 9, 15, 10, tzinfo=MALL_TZ)),
    ("lv-level-after", "fresh", datetime(2026, 9, 20, 10, tzinfo=MALL_TZ),
     datetime(2026, 9, 21, 10, tzinfo=MALL_TZ)),
    ("lv-t7", "furniture", datetime(2026, 9, 20, 10, 5, tzinfo=MALL_TZ),
     datetime(2026, 9, 21, 10, tzinfo=MALL_TZ)),
    ("lv-flash-1", "flash-sale", datetime(2026, 9, 25, 10, tzinfo=MALL_TZ), None),
    ("lv-flash-2", "flash-sale", datetime(2026, 9, 25, 10, 1, tzinfo=MALL_TZ), None),
    ("lv-flash-3", "flash-sale", datetime(2026, 9, 25, 10, 2, tzinfo=MALL_TZ), None),
)
LEVER_ORDER_CENTS = 10_000
# The leaderboard's inviters this week: two ordinary members and a member of the planted
# ring (who would top it, and is left out), with how many they invite.
LEADERBOARD_INVITERS = (("m00001", 4), ("m00002", 2), ("ring03", 5))


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


def _lever_order(order_id: str, category: str, at: datetime) -> dict[str, Any]:
    cents = LEVER_ORDER_CENTS * (2 if category == "snacks" else 1)
    return {"type": "order_paid", "order_id": order_id, "user_id": LEVER_CHAIN[-1],
            "amount_cents": cents, "currency": "CNY",
            "items": [{"sku": f"sku-{category}", "category": category, "amount_cents": cents}],
            "device_id": "dev-lv-buyer", "ip": "198.51.100.77", "payment_account": "pay-lv-buyer",
            "shipping_address": "addr-lv-buyer", "at": _at(at)}


def lever_events() -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]:
    """The lever chain's registrations and level change, then its orders one by one (each
    to be computed before the next is paid: a campaign's budget goes in payment order),
    each followed by its completion (pure, fixed dates)."""
    joined = datetime(2025, 6, 1, 10, tzinfo=MALL_TZ)
    setup: list[dict[str, Any]] = []
    inviter = None
    for n, user_id in enumerate(LEVER_CHAIN):
        setup.append({"type": "user_registered", "user_id": user_id, "invited_by": inviter,
                      "at": _at(joined + timedelta(minutes=5 * n)), "level": 0})
        inviter = user_id
    setup.append({"type": "user_level_changed", "user_id": "lv-shop", "level": 2,
                  "at": _at(LEVEL_CHANGE)})
    orders = []
    for order_id, category, paid, completed in LEVER_ORDERS:
        step = [_lever_order(order_id, category, paid)]
        if completed is not None:
            step.append({"type": "order_completed", "order_id": order_id, "at": _at(completed)})
        orders.append(step)
    return setup, orders


def period_anchor(today: date) -> date:
    """The first day that lies in both the current mall week (from Monday) and month (pure)."""
    return max(today - timedelta(days=today.weekday()), today.replace(day=1))


def leaderboard_events(today: date) -> list[dict[str, Any]]:
    """Invitees registered, and ordering, on the first day of `today`'s mall week and month
    (`period_anchor`), under ids naming that day: the same events all week (pure)."""
    start = datetime.combine(period_anchor(today), time(), MALL_TZ)
    tag = start.strftime("%Y%m%d")
    events: list[dict[str, Any]] = []
    n = 0
    for inviter, count in LEADERBOARD_INVITERS:
        for k in range(count):
            n += 1
            user_id = f"lb{tag}-{inviter}-{k}"
            at = start + timedelta(seconds=2 * n)
            events.append({"type": "user_registered", "user_id": user_id,
                           "invited_by": inviter, "at": _at(at), "level": 0})
            events.append({
                "type": "order_paid", "order_id": f"ord-{user_id}", "user_id": user_id,
                "amount_cents": 8800, "currency": "CNY",
                "items": [{"sku": "sku-welcome", "category": "food", "amount_cents": 8800}],
                "device_id": f"dev-{user_id}", "ip": f"198.51.101.{n}",
                "payment_account": f"pay-{user_id}", "shipping_address": f"addr-{user_id}",
                "at": _at(at + timedelta(seconds=1))})
    return events


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    """Consecutive slices of at most `size` items."""
    for start in range(0, len(items), size):
        yield items[start:start + size]
