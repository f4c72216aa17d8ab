"""The projection built from events aggregates like the Neo4j queries (pure)."""

from datetime import UTC, datetime, timedelta

from graph.risk.projection import OrderInfo, Usage, UserInfo, projection_from_events
from tests.factories import make_order, make_session, make_user

T0 = datetime(2026, 3, 10, 12, tzinfo=UTC)


def at(hours: float) -> str:
    return (T0 + timedelta(hours=hours)).isoformat()


def test_projection_aggregates_like_the_graph():
    events = [
        make_user("u1", at=at(0)),
        make_session("u1", "d1", "203.0.113.7", at(1)),
        make_order("o1", "u1", [("beauty", 12900)], at=at(2), device_id="d1", ip="203.0.113.7",
                   payment_account="pa1", shipping_address="a1"),
        {"type": "order_refunded", "order_id": "o1", "refund_id": "r1", "amount_cents": 900,
         "at": at(30)},
        {"type": "order_refunded", "order_id": "o1", "refund_id": "r2", "amount_cents": 1000,
         "at": at(40)},
        {"type": "order_completed", "order_id": "o1", "at": at(50)},
    ]
    projection = projection_from_events(events)
    assert projection.users == {"u1": UserInfo(T0.timestamp(), None)}
    t1, t2 = T0.timestamp() + 3600, T0.timestamp() + 7200
    assert sorted(projection.usages) == sorted([
        Usage("u1", "device", "d1", t1, t2, 2), Usage("u1", "ip", "203.0.113.7", t1, t2, 2),
        Usage("u1", "payment_account", "pa1", t2, t2, 1), Usage("u1", "address", "a1", t2, t2, 1),
    ])
    assert projection.orders == [OrderInfo("o1", "u1", 12900, t2, 1900, T0.timestamp() + 40 * 3600)]
