"""Validation of single events (pure): every malformed kind is refused with a reason, and no
JSON value at all makes the parser raise."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.ingest.events import (
    MAX_DEPTH,
    MAX_DETAIL,
    OrderPaid,
    Rejection,
    UserRegistered,
    parse_event,
    parse_line,
)
from tests.factories import make_order, make_session, make_user


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


# --- any JSON at all: an event or a refusal that says why, never an exception ---------------

REASONS = {"invalid_event", "unknown_type", "self_invite", "malformed_json"}
FIELDS = sorted({name for model in (UserRegistered, OrderPaid) for name in model.model_fields}
                | {"refund_id", "device_id", "ip", "sku", "category"})
json_scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                | st.text(max_size=80))
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=20), inner, max_size=4),
    max_leaves=30,
)


def nested(value, depth: int, in_object: bool = False):
    for _ in range(depth):
        value = {"a": value} if in_object else [value]
    return value


def assert_answered(result) -> None:
    if isinstance(result, Rejection):
        assert result.reason in REASONS and result.detail
        assert len(result.detail) <= MAX_DETAIL
    else:
        assert isinstance(result.fingerprint(), str)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(raw=json_values)
def test_any_json_value_is_an_event_or_a_refusal(raw):
    assert_answered(parse_event(0, raw))


@settings(max_examples=400, derandomize=True, deadline=None)
@given(template=st.sampled_from([make_user("u1", "u0", phone="+8613800000000"),
                                 make_order("o1", "u1"), make_session("u1", "d1", "10.0.0.1"),
                                 {"type": "order_refunded", "order_id": "o1", "refund_id": "r1",
                                  "amount_cents": 5, "at": "2026-03-03T10:00:00Z"},
                                 {"type": "order_completed", "order_id": "o1",
                                  "at": "2026-03-03T10:00:00Z"}]),
       changes=st.dictionaries(st.sampled_from(FIELDS + ["type"]), json_values, max_size=3))
def test_a_good_event_with_any_field_replaced_is_an_event_or_a_refusal(template, changes):
    assert_answered(parse_event(0, {**template, **changes}))


@settings(max_examples=300, derandomize=True, deadline=None)
@given(line=st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()))
def test_any_line_is_an_event_or_a_refusal(line):
    assert_answered(parse_line(0, line))


@pytest.mark.parametrize("field", ["type", "user_id", "at", "invited_by", "items", "surprise"])
@pytest.mark.parametrize("in_object", [False, True], ids=["lists", "objects"])
def test_a_value_nested_as_deep_as_json_allows_is_refused_by_name(field, in_object):
    # 1,020 levels inside the event: the deepest an event can be in a body orjson decodes
    deep = nested("u", 1020, in_object)
    result = parse_event(0, {**make_order("o1", "u1"), field: deep})
    assert isinstance(result, Rejection)
    if field == "type":
        assert result.reason == "unknown_type"
        assert result.detail.endswith("got a list" if not in_object else "got an object")
    else:
        assert (result.reason, result.detail) == (
            "invalid_event", f"{field}: nested deeper than {MAX_DEPTH} levels")


def test_a_refusal_quotes_no_more_than_a_sentence():
    long_key = "k" * 5000
    result = parse_event(0, {**make_user("u1"), long_key: 1, "type": "user_registered"})
    assert isinstance(result, Rejection) and len(result.detail) <= MAX_DETAIL
    result = parse_event(0, {**make_user("u1"), "type": "x" * 5000})
    assert isinstance(result, Rejection) and result.detail.endswith("got '" + "x" * 40 + "'")
