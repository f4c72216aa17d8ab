"""make_* helpers that build events (and audited rules) for tests."""

from collections.abc import Callable
from typing import Any

AT = "2026-03-01T10:00:00+08:00"


def make_user(user_id: str, invited_by: str | None = None, at: str = AT,
              **extra: Any) -> dict[str, Any]:
    event = {"type": "user_registered", "user_id": user_id, "at": at, **extra}
    if invited_by is not None:
        event["invited_by"] = invited_by
    return event


def make_chain(names: list[str], root_inviter: str | None = None) -> list[dict[str, Any]]:
    """Registrations where each user invites the next: names[0] is the top."""
    events = []
    inviter = root_inviter
    for name in names:
        events.append(make_user(name, inviter))
        inviter = name
    return events


def make_order(order_id: str, user_id: str, items: list[tuple[str, int]] | None = None,
               at: str = "2026-03-02T10:00:00+08:00", **extra: Any) -> dict[str, Any]:
    items = items or [("beauty", 12900)]
    return {
        "type": "order_paid", "order_id": order_id, "user_id": user_id,
        "amount_cents": sum(cents for _, cents in items), "currency": "CNY",
        "items": [{"sku": f"sku-{n}", "category": category, "amount_cents": cents}
                  for n, (category, cents) in enumerate(items)],
        "at": at, **extra,
    }


def make_session(user_id: str, device_id: str, ip: str, at: str = AT) -> dict[str, Any]:
    return {"type": "session", "user_id": user_id, "device_id": device_id, "ip": ip, "at": at}


def make_audited_rules(client: Any, ids: Callable[[str], str], n: int) -> None:
    """Create n rules through the API as an admin, each one audit entry; in a category of
    their own, so other tests' orders are untouched."""
    from tests.conftest import auth

    for k in range(n):
        answer = client.post("/v1/rules", headers=auth("admin"),
                             json={"id": ids(f"r{k}"), "tiers": [100 + k],
                                   "category": "audit-test"})
        assert answer.status_code == 201, answer.text
