"""Validation of single events (pure): every malformed kind is refused with a reason."""

import pytest

from graph.ingest.events import OrderPaid, Rejection, UserRegistered, parse_event, parse_line
from tests.factories import make_order, make_user


def reason_of(raw) -> str:
    result = parse_event(0, raw)
    assert isinstance(result, Rejection), f"expected a rejection for {raw!r}"
    return f"{result.reason}: {result.detail}"


def test_good_events_parse_and_times_become_utc():
    user = parse_event(0, make_user("u1", "u0", at="2026-01-02T10:00:00+08:00"))
    assert isinstance(user, UserRegistered)
    assert user.at.isoformat() == "2026-01-02T02:00:00+00:00"
    assert isinstance(parse_event(0, make_order("o1", "u1")), OrderPaid)


@pytest.mark.parametrize(("raw", "expected"), [
    (make_user("u1", "u1"), "self_invite"),
    ({**make_order("o1", "u1"), "amount_cents": -5}, "invalid_event: amount_cents"),
    ({**make_order("o1", "u1"), "amount_cents": 129.5}, "invalid_event: amount_cents"),
    ({**make_order("o1", "u1"), "amount_cents": "12900"}, "invalid_event: amount_cents"),
    ({**make_order("o1", "u1"), "currency": "USD"}, "invalid_event: currency"),
    ({**make_order("o1", "u1"), "amount_cents": 13000}, "items sum to 12900"),
    ({**make_order("o1", "u1"), "items": []}, "invalid_event: items"),
    ({k: v for k, v in make_order("o1", "u1").items() if k != "user_id"},
     "user_id: Field required"),
    ({k: v for k, v in make_user("u1").items() if k != "at"}, "at: Field required"),
    (make_user("u1", at="2026-01-02T10:00:00"), "offset"),
    (make_user("u" * 65), "invalid_event: user_id"),
    (make_user("u1'); MATCH (n) DETACH DELETE n //"), "invalid_event: user_id"),
    (make_user("用户1"), "invalid_event: user_id"),
    ({**make_order("o1", "u1"), "ip": "999.1.1.1"}, "not an IPv4 or IPv6 address"),
    ({"type": "order_shipped", "order_id": "o1"}, "unknown_type"),
    ([1, 2], "invalid_event"),
    ({**make_user("u1"), "surprise": 1}, "surprise: Extra inputs are not permitted"),
])
def test_bad_events_are_refused_with_a_reason(raw, expected):
    assert expected in reason_of(raw)


def test_malformed_json_line_is_refused():
    result = parse_line(3, b'{"type": "session", ')
    assert isinstance(result, Rejection)
    assert (result.index, result.reason) == (3, "malformed_json")


def test_fingerprint_ignores_key_order_but_not_content():
    a = parse_event(0, make_user("u1", "u0", phone="+8613800000000"))
    b = parse_event(0, dict(reversed(list(make_user("u1", "u0", phone="+8613800000000").items()))))
    c = parse_event(0, make_user("u1", "u9", phone="+8613800000000"))
    assert a.fingerprint() == b.fingerprint() != c.fingerprint()
    assert "13800000000" not in a.fingerprint()
