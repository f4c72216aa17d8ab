"""Hostile input against the real stack: injection-shaped ids and text, the biggest batch,
deep nesting, absurd numbers and times, oversize bodies and odd Authorization headers.

Each is either refused with a reason (a 4xx problem, or a per-event rejection in a batch)
or stored as plain data; none is a 500, and none changes anything else in the graph.
"""

from collections import Counter
from urllib.parse import quote

import orjson
import pytest

from graph import db
from graph.audit import trail
from graph.settings import get_settings
from tests.conftest import auth
from tests.factories import make_order, make_session, make_user

MALL, ADMIN = auth("mall"), auth("admin")
PROBLEM = "application/problem+json"
# pydantic's words for an id outside graph.ingest.events.ID_PATTERN
ID_RULE = "should match pattern"

# Ids the id pattern (letters, digits, _ . : @ -, starting with a letter or digit, at most
# 64 characters) forbids: quotes, backticks, Cypher fragments, unicode, control characters.
HOSTILE_IDS = [
    "x' OR 1=1 //",
    "}) DETACH DELETE n //",
    "u`) DETACH DELETE n //",
    'a"}) MATCH (n) SET n.hacked = true //',
    "a\nMATCH (n) DETACH DELETE n",
    "x\u0000y",
    "用户-1",
    "ｕ1",  # a fullwidth u: looks like u1
    "u1\u202e",  # right-to-left override
    "../../etc/passwd",
    "",
    "x" * 65,
]


def totals() -> Counter:
    """Nodes per label and relationships per type in the whole graph."""
    return Counter({(r["kind"], r["name"]): r["count"]
                    for r in db.read_query("testing.graph_totals")})


def users_with_prefix(prefix: str) -> int:
    return db.read_query("testing.users_by_prefix", prefix=prefix)[0]["users"]


def post_events(client, events):
    answer = client.post("/v1/events", headers=MALL, json=events)
    assert answer.status_code == 200, answer.text
    return answer.json()


def assert_problem(answer, status: int) -> dict:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == PROBLEM
    body = answer.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert body["type"].startswith("https://tiergraph.dev/problems/")
    return body


# --- ids ----------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", HOSTILE_IDS)
def test_hostile_ids_in_events_are_refused_with_the_reason(client, clean_graph, ids, bad):
    post_events(client, [make_user(ids("u"))])
    before = totals()
    events = [
        make_user(bad),
        make_user(ids("v"), invited_by=bad),
        make_order(bad, ids("u")),
        make_order(ids("o1"), ids("u"), shipping_address=bad),
        make_order(ids("o2"), ids("u"), payment_account=bad),
        make_order(ids("o3"), ids("u"), device_id=bad),
        {**make_order(ids("o4"), ids("u")),
         "items": [{"sku": bad, "category": "beauty", "amount_cents": 12900}]},
        make_session(ids("u"), bad, "203.0.113.9"),
        {"type": "order_refunded", "order_id": ids("o"), "refund_id": bad,
         "amount_cents": 1, "at": "2026-03-03T10:00:00+08:00"},
    ]
    fields = ["user_id", "invited_by", "order_id", "shipping_address", "payment_account",
              "device_id", "items.0.sku", "device_id", "refund_id"]
    result = post_events(client, events)
    assert result["accepted"] == 0
    assert [r["index"] for r in result["rejected"]] == list(range(len(events)))
    for rejection, field in zip(result["rejected"], fields, strict=True):
        assert rejection["reason"] == "invalid_event"
        assert rejection["detail"].startswith(f"{field}: ") and "pattern" in rejection["detail"]
    assert totals() == before


@pytest.mark.parametrize("bad", HOSTILE_IDS[:10])
def test_hostile_ids_in_single_calls_are_422_problems(client, ids, bad):
    user = client.post("/v1/users", headers=MALL,
                       json={"user_id": bad, "at": "2026-03-01T10:00:00Z"})
    body = assert_problem(user, 422)
    assert body["reason"] == "invalid_event" and body["detail"].startswith("user_id: ")
    withdrawal = client.post("/v1/withdrawals", headers=MALL, json={
        "withdrawal_id": bad, "user_id": ids("u"), "amount_cents": 100})
    body = assert_problem(withdrawal, 422)
    assert body["errors"][0]["loc"] == ["body", "withdrawal_id"] and ID_RULE in body["detail"]
    rule = client.post("/v1/rules", headers=ADMIN, json={"id": bad, "tiers": [100]})
    assert assert_problem(rule, 422)["errors"][0]["loc"] == ["body", "id"]
    convert = client.post(f"/v1/users/{ids('u')}/points/convert", headers=MALL,
                          json={"conversion_id": bad, "points": 100})
    assert assert_problem(convert, 422)["errors"][0]["loc"] == ["body", "conversion_id"]
    assert client.get(f"/v1/users/{quote(bad, safe='')}", headers=MALL).status_code == 404


@pytest.mark.parametrize("bad", [i for i in HOSTILE_IDS if i and "/" not in i])
def test_hostile_ids_in_paths_find_nothing_and_change_nothing(client, clean_graph, bad):
    before = totals()
    path = quote(bad, safe="")
    for method, url, role, what in [
        ("GET", f"/v1/users/{path}", MALL, "user"),
        ("GET", f"/v1/users/{path}/upline", MALL, "user"),
        ("GET", f"/v1/users/{path}/downline", MALL, "user"),
        ("GET", f"/v1/users/{path}/rebates", MALL, "user"),
        ("GET", f"/v1/users/{path}/balance", MALL, "user"),
        ("GET", f"/v1/orders/{path}/rebates", MALL, "order"),
        ("POST", f"/v1/orders/{path}/payouts", MALL, "order"),
        ("GET", f"/v1/withdrawals/{path}", MALL, "withdrawal"),
        ("GET", f"/v1/compliance/rebates/{path}/path", ADMIN, "rebate"),
        ("DELETE", f"/v1/rules/{path}", ADMIN, "rule"),
        ("DELETE", f"/v1/apikeys/{path}", ADMIN, "API key"),
    ]:
        answer = client.request(method, url, headers=role)
        # the id comes back as data, quoted, in the reason
        assert assert_problem(answer, 404)["detail"] == f"no {what} {bad!r}", url
    assert totals() == before


@pytest.mark.parametrize("text", [
    "x' OR 1=1 //",
    "}) DETACH DELETE n //",
    "`) MATCH (n) DETACH DELETE n //",
    '"}) SET n.role = "admin" //',
    "MATCH (n) DETACH DELETE n; // 删除所有 — ✓ 🧨",
    "line one\nline two\ttab \\ backslash $param {braces}",
])
def test_free_text_is_stored_and_read_back_as_plain_data(client, clean_graph, ids, text):
    """An API key's label and the reason for reading a clear phone take any text: the
    injection attempt lands verbatim, and nothing else in the graph moves."""
    post_events(client, [make_user(ids("u"), phone="+8613912345678")])
    client.post("/v1/apikeys", headers=ADMIN, json={"role": "mall", "label": ids("warm-up")})
    before = totals()
    created = client.post("/v1/apikeys", headers=ADMIN, json={"role": "risk", "label": text})
    assert created.status_code == 201 and created.json()["label"] == text
    listed = {k["id"]: k for k in client.get("/v1/apikeys", headers=ADMIN).json()["keys"]}
    assert listed[created.json()["id"]]["label"] == text
    assert listed[created.json()["id"]]["role"] == "risk"
    phone = client.get(f"/v1/users/{ids('u')}/phone", headers=ADMIN, params={"reason": text})
    assert phone.status_code == 200 and phone.json()["phone"] == "+8613912345678"
    entries = client.get("/v1/audit", headers=ADMIN).json()["entries"]
    assert entries[-2]["action"] == "apikey.create" and entries[-2]["after"]["label"] == text
    assert entries[-1]["action"] == "pii.read" and entries[-1]["after"]["reason"] == text
    assert totals() - before == Counter({("node", "ApiKey"): 1, ("node", "AuditEntry"): 2})
    assert before - totals() == Counter()  # nothing removed either
    assert trail.verify()["ok"]
    assert client.get(f"/v1/users/{ids('u')}", headers=MALL).json()["user_id"] == ids("u")


# --- batches ------------------------------------------------------------------------------


def test_a_batch_of_ten_thousand_events_lands_whole(client, ids):
    events = [make_user(ids("b0"))] + [
        make_user(ids(f"b{n}"), invited_by=ids(f"b{(n - 1) // 2}")) for n in range(1, 10_000)]
    assert len(events) == get_settings().max_batch_events == 10_000
    result = post_events(client, events)
    assert result == {"accepted": 10_000, "duplicates": 0, "rejected": []}
    assert users_with_prefix(ids("b")) == 10_000
    upline = client.get(f"/v1/users/{ids('b9999')}/upline", headers=MALL).json()["upline"]
    assert [u["user_id"] for u in upline] == [ids("b4999"), ids("b2499"), ids("b1249")]


def test_a_batch_of_ten_thousand_and_one_is_refused_whole_with_the_reason(client, ids):
    events = [make_user(ids(f"c{n}")) for n in range(10_001)]
    answer = client.post("/v1/events", headers=MALL, json=events)
    body = assert_problem(answer, 413)
    assert body["type"].endswith("/batch-too-large")
    assert body["detail"] == "10001 events in one call; send at most 10000 per call"
    assert users_with_prefix(ids("c")) == 0


# --- nesting ------------------------------------------------------------------------------

DEEP_ARRAY = b"[" * 10_000 + b"]" * 10_000
DEEP_OBJECT = b'{"a":' * 10_000 + b"1" + b"}" * 10_000


@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT], ids=["array", "object"])
@pytest.mark.parametrize(("path", "role"), [
    ("/v1/events", MALL), ("/v1/users", MALL), ("/v1/withdrawals", MALL), ("/v1/rules", ADMIN),
    ("/v1/rules/simulate", ADMIN), ("/v1/settlement/run", ADMIN), ("/v1/apikeys", ADMIN),
])
def test_ten_thousand_levels_of_nesting_are_a_400_problem(client, path, role, body):
    answer = client.post(path, content=body, headers={**role, "Content-Type": "application/json"})
    detail = assert_problem(answer, 400)["detail"]
    assert "JSON" in detail or "parsing the body" in detail


def test_nesting_inside_an_event_refuses_that_event_only(client, ids):
    deep = 500  # within the JSON parser's depth limit, so it reaches validation
    nested: object = "u"
    for _ in range(deep):
        nested = [nested]
    result = post_events(client, [make_user(ids("ok")), {**make_user("x"), "user_id": nested}])
    assert result["accepted"] == 1
    assert [(r["index"], r["reason"]) for r in result["rejected"]] == [(1, "invalid_event")]
    assert result["rejected"][0]["detail"].startswith("user_id: ")


def deep_value(levels: int, in_object: bool) -> bytes:
    """A JSON value `levels` lists (or objects) deep, as raw bytes."""
    if in_object:
        return b'{"a":' * levels + b'"x"' + b"}" * levels
    return b"[" * levels + b'"x"' + b"]" * levels


# 1,000 levels inside an event inside the batch: within the JSON parser's limit of 1,024
@pytest.mark.parametrize("in_object", [False, True], ids=["lists", "objects"])
@pytest.mark.parametrize(("field", "reason", "detail"), [
    ("type", "unknown_type", "type must be one of"),
    ("user_id", "invalid_event", "user_id: nested deeper than"),
    ("at", "invalid_event", "at: nested deeper than"),
    ("surprise", "invalid_event", "surprise: nested deeper than"),
])
def test_a_field_nested_a_thousand_levels_deep_refuses_that_event(client, ids, in_object,
                                                                  field, reason, detail):
    good = orjson.dumps(make_user(ids("ok")))
    bad = orjson.dumps({k: v for k, v in make_user(ids("deep")).items() if k != field})
    bad = bad[:-1] + b',"' + field.encode() + b'":' + deep_value(1000, in_object) + b"}"
    body = b"[" + good + b"," + bad + b"]"
    answer = client.post("/v1/events", content=body,
                         headers={**MALL, "Content-Type": "application/json"})
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["accepted"] == 1
    assert [(r["index"], r["reason"]) for r in result["rejected"]] == [(1, reason)]
    assert result["rejected"][0]["detail"].startswith(detail)
    assert client.get(f"/v1/users/{ids('deep')}", headers=MALL).status_code == 404


@pytest.mark.parametrize("in_object", [False, True], ids=["lists", "objects"])
def test_a_registration_nested_a_thousand_levels_deep_is_a_422_problem(client, in_object):
    body = b'{"at":"2026-03-01T10:00:00Z","user_id":' + deep_value(1000, in_object) + b"}"
    answer = client.post("/v1/users", content=body,
                         headers={**MALL, "Content-Type": "application/json"})
    assert assert_problem(answer, 422)["detail"].startswith("user_id: nested deeper than")


# --- numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(("literal", "why"), [
    (b"1" + b"0" * 30, "a valid integer"),  # 10**30: beyond 64 bits, read as a float
    (b"1e308", "a valid integer"),
    (b"-0", "greater than 0"),
    (b"0.5", "a valid integer"),
    (b"-1", "greater than 0"),
    (b"1000000000001", "less than or equal to 1000000000000"),
])
def test_absurd_amounts_refuse_the_event_with_the_reason(client, ids, literal, why):
    post_events(client, [make_user(ids("u"))])
    body = (b'[{"type":"order_paid","order_id":"' + ids("o").encode() + b'","user_id":"'
            + ids("u").encode() + b'","amount_cents":' + literal + b',"currency":"CNY",'
            b'"items":[{"sku":"s1","amount_cents":' + literal + b'}],'
            b'"at":"2026-03-02T10:00:00+08:00"}]')
    answer = client.post("/v1/events", content=body,
                         headers={**MALL, "Content-Type": "application/json"})
    assert answer.status_code == 200
    result = answer.json()
    assert result["accepted"] == 0 and result["rejected"][0]["reason"] == "invalid_event"
    assert f"amount_cents: Input should be {why}" in result["rejected"][0]["detail"]
    assert client.get(f"/v1/orders/{ids('o')}/rebates", headers=MALL).status_code == 404


@pytest.mark.parametrize(("literal", "why"), [
    (b"1" + b"0" * 30, "less than or equal to 1000000000000"),
    (b"1e308", "valid integer"),
    (b"-0", "greater than 0"),
    (b"NaN", "valid integer"),
    (b"Infinity", "valid integer"),
    (b"-Infinity", "valid integer"),
])
def test_absurd_amounts_in_a_withdrawal_are_422(client, ids, literal, why):
    body = (b'{"withdrawal_id":"' + ids("w").encode() + b'","user_id":"' + ids("u").encode()
            + b'","amount_cents":' + literal + b"}")
    answer = client.post("/v1/withdrawals", content=body,
                         headers={**MALL, "Content-Type": "application/json"})
    problem = assert_problem(answer, 422)
    assert problem["errors"][0]["loc"] == ["body", "amount_cents"]
    assert why in problem["errors"][0]["msg"]


def test_absurd_numbers_elsewhere_are_422_or_400_problems(client, ids):
    user = {"user_id": ids("u"), "at": "2026-03-01T10:00:00Z"}
    level = client.post("/v1/users", headers=MALL, json={**user, "level": 10**30})
    assert assert_problem(level, 422)["detail"].startswith("level: ")
    points = client.post(f"/v1/users/{ids('u')}/points/convert", headers=MALL,
                         json={"conversion_id": ids("c"), "points": 10**30})
    assert assert_problem(points, 422)["errors"][0]["loc"] == ["body", "points"]
    tiers = client.post("/v1/rules", headers=ADMIN, json={"id": ids("r"), "tiers": [10**30]})
    assert assert_problem(tiers, 422)["type"].endswith("/rate-limit")
    for query in ("/v1/audit?after=" + "9" * 30, f"/v1/users/{ids('u')}/downline?offset=1e308",
                  f"/v1/users/{ids('u')}/upline?depth=NaN"):
        assert_problem(client.get(query, headers=ADMIN), 422)
    # NaN is no JSON literal: the events parser refuses the body as malformed, before any event
    nan = client.post("/v1/events", content=b'[{"type":"order_paid","amount_cents":NaN}]',
                      headers={**MALL, "Content-Type": "application/json"})
    assert assert_problem(nan, 400)["type"].endswith("/malformed-json")
    assert client.get(f"/v1/users/{ids('u')}", headers=MALL).status_code == 404


# --- times --------------------------------------------------------------------------------

EDGES = [
    ("0001-01-01T00:00:00Z", "time must fall between"),
    ("0001-01-01T00:00:00+14:00", "time must fall between"),
    ("1999-12-31T23:59:59Z", "time must fall between"),
    ("2000-01-01T07:59:59+08:00", "time must fall between"),  # 1999-12-31T23:59:59Z
    ("2101-01-01T00:00:00Z", "time must fall between"),
    ("9999-12-31T23:59:59+14:00", "time must fall between"),
    ("9999-12-31T23:59:59-14:00", "time must fall between"),
    ("2026-03-01T10:00:00+18:01", "offset must lie between"),
    ("2026-03-01T10:00:00", "must carry an offset"),
]


@pytest.mark.parametrize(("at", "why"), EDGES)
def test_times_outside_2000_to_2100_are_refused_with_the_reason(client, ids, at, why):
    """graph.ingest.events.checked_time: an offset is required (at most ±18:00) and the instant
    must fall in 2000-01-01T00:00:00Z .. 2100-12-31T23:59:59Z, for events and API times."""
    result = post_events(client, [make_user(ids("u"), at=at)])
    assert result["accepted"] == 0
    assert result["rejected"][0]["reason"] == "invalid_event"
    detail = result["rejected"][0]["detail"]
    assert detail.startswith("at: ") and why in detail
    settle = client.post("/v1/settlement/run", headers=ADMIN, json={"as_of": at})
    assert why in assert_problem(settle, 422)["detail"]
    rule = client.post("/v1/rules", headers=ADMIN,
                       json={"id": ids("r"), "tiers": [100], "starts_at": at})
    assert why in assert_problem(rule, 422)["detail"]
    simulate = client.post("/v1/rules/simulate", headers=ADMIN, json={
        "rule": {"id": ids("r"), "tiers": [100]}, "from": at, "to": "2026-06-01T00:00:00Z"})
    assert why in assert_problem(simulate, 422)["detail"]
    assert client.get(f"/v1/users/{ids('u')}", headers=MALL).status_code == 404


@pytest.mark.parametrize(("at", "stored"), [
    ("2000-01-01T00:00:00Z", "2000-01-01T00:00:00Z"),
    ("2100-12-31T23:59:59Z", "2100-12-31T23:59:59Z"),
    ("2101-01-01T07:59:59+08:00", "2100-12-31T23:59:59Z"),  # an instant inside the range
    ("2026-03-01T10:00:00-18:00", "2026-03-02T04:00:00Z"),
])
def test_times_at_the_edges_are_accepted_and_stored_as_utc(client, ids, at, stored):
    assert post_events(client, [make_user(ids("u"), at=at)])["accepted"] == 1
    user = client.get(f"/v1/users/{ids('u')}", headers=MALL).json()
    assert user["registered_at"].replace("+00:00", "Z") == stored


# --- bodies -------------------------------------------------------------------------------


@pytest.fixture
def small_bodies(monkeypatch):
    """TIERGRAPH_MAX_BODY_BYTES at its floor (1 KiB) for one test."""
    monkeypatch.setenv("TIERGRAPH_MAX_BODY_BYTES", "1024")
    get_settings.cache_clear()
    yield 1024
    monkeypatch.undo()
    get_settings.cache_clear()


def _chunks(head: bytes, filler: int):
    """A body sent chunked, with no Content-Length to refuse it by."""
    yield head
    for _ in range(filler):
        yield b" " * 512


@pytest.mark.parametrize(("path", "role", "head"), [
    ("/v1/events", MALL, b"["),
    ("/v1/users", MALL, b'{"user_id": "chunked-u",'),
    ("/v1/rules", ADMIN, b'{"id": "chunked-r", "tiers": [100],'),
    ("/v1/withdrawals", MALL, b"{"),
])
def test_an_oversize_body_is_413_declared_or_chunked(client, small_bodies, path, role, head):
    declared = client.post(path, content=head + b" " * 2048 + b"}",
                           headers={**role, "Content-Type": "application/json"})
    assert assert_problem(declared, 413)["detail"] == "the body exceeds 1024 bytes"
    chunked = client.post(path, content=_chunks(head, 8),
                          headers={**role, "Content-Type": "application/json"})
    assert "content-length" not in chunked.request.headers
    body = assert_problem(chunked, 413)
    assert body["type"].endswith("/payload-too-large")
    assert body["detail"] == "the body exceeds 1024 bytes"
    assert client.get("/v1/users/chunked-u", headers=MALL).status_code == 404
    rules = client.get("/v1/rules", headers=ADMIN).json()["rules"]
    assert all(r["id"] != "chunked-r" for r in rules)


# --- Authorization ------------------------------------------------------------------------


@pytest.mark.parametrize("header", [
    None,
    b"",
    b"Bearer",
    b"Bearer ",
    b"Bearer      ",
    b"Basic dGVzdC1hZG1pbjp0ZXN0LWFkbWlu",  # test-admin:test-admin
    b"Token test-admin",
    b"test-admin",
    b"Bearer test-admin-nope",
    b"Bearer test-admin test-admin",
    b"Bearer " + b"a" * 10_000,
    b"Bearer " + "tést-admin-用".encode(),
    b"Bearer \xff\xfe\xfd",
    b"Bearer x' OR 1=1 //",
], ids=lambda h: "absent" if h is None else repr(h[:24]))
def test_odd_authorization_headers_are_401_problems(client, ids, header):
    headers = {} if header is None else {"Authorization": header}
    for method, path, body in [("GET", f"/v1/users/{ids('u')}", None),
                               ("GET", "/v1/audit", None),
                               ("POST", "/v1/events", [make_user(ids("u"))]),
                               ("POST", "/v1/apikeys", {"role": "admin", "label": ids("k")})]:
        answer = client.request(method, path, headers=headers, json=body)
        detail = assert_problem(answer, 401)["detail"]
        assert detail in ("send Authorization: Bearer <key>", "the API key is not valid")
    assert users_with_prefix(ids("u")) == 0
    keys = client.get("/v1/apikeys", headers=ADMIN).json()["keys"]
    assert all(k["label"] != ids("k") for k in keys)
