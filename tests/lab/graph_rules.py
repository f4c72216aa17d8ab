"""What every generated mall must respect, whichever generator made it."""

from typing import Any


def assert_follows_graph_rules(events: list[dict[str, Any]]) -> None:
    """A user registers once, after its inviter; sessions and orders come from registered
    users; refunds and completions name an order already paid."""
    registered: set[str] = set()
    paid: set[str] = set()
    for event in events:
        if event["type"] == "user_registered":
            assert event["user_id"] not in registered
            assert event.get("invited_by") is None or event["invited_by"] in registered
            registered.add(event["user_id"])
        elif event["type"] in ("session", "order_paid"):
            assert event["user_id"] in registered
            if event["type"] == "order_paid":
                paid.add(event["order_id"])
        else:
            assert event["order_id"] in paid
