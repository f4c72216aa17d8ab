"""Roles: every /v1 route declares its roles; no key is 401, a wrong role is 403."""

import re
import time
import uuid

import pytest
from fastapi.routing import APIRoute

from api.main import ROUTERS, app
from graph.settings import ROLES, get_settings
from tests.conftest import auth


def declared_roles(route: APIRoute) -> frozenset[str] | None:
    for dependency in route.dependant.dependencies:
        roles = getattr(dependency.call, "roles", None)
        if roles is not None:
            return roles
    return None


V1_ROUTES = [r for router in ROUTERS for r in router.routes
             if isinstance(r, APIRoute) and r.path.startswith("/v1")]


def test_every_v1_route_declares_roles():
    documented = {p for p in app.openapi()["paths"] if p.startswith("/v1")}
    assert documented and documented == {r.path for r in V1_ROUTES}
    undeclared = [r.path for r in V1_ROUTES if declared_roles(r) is None]
    assert undeclared == []


# The roles of SPEC section 8 (admin may do everything), and of the endpoints tiergraph adds
# (API keys, adjustments, the clear phone, points, decisions on users, disabling a
# beneficiary): pinned here, so
# that a route given another role fails this test instead of passing the matrix below.
MALL, RISK, COMPLIANCE, ADMIN = ({"mall", "admin"}, {"risk", "admin"},
                                 {"compliance", "admin"}, {"admin"})
READ_USERS = {"mall", "risk", "admin"}  # a user's page, read by the risk team too
EXPECTED_ROLES = {
    "POST /v1/events": MALL,
    "POST /v1/users": MALL, "GET /v1/users": MALL, "GET /v1/users/{user_id}": READ_USERS,
    "GET /v1/users/{user_id}/upline": READ_USERS,
    "GET /v1/users/{user_id}/downline": READ_USERS,
    "POST /v1/orders/{order_id}/payouts": MALL, "GET /v1/orders/{order_id}/rebates": MALL,
    "GET /v1/users/{user_id}/rebates": READ_USERS,
    "GET /v1/users/{user_id}/balance": READ_USERS,
    "POST /v1/users/{user_id}/points/convert": MALL,
    "POST /v1/users/{user_id}/points/redeem": MALL, "GET /v1/leaderboards/invites": MALL,
    "GET /v1/analytics/roi": ADMIN, "POST /v1/analytics/fold": ADMIN,
    "POST /v1/withdrawals": MALL, "GET /v1/withdrawals/{withdrawal_id}": MALL,
    "POST /v1/withdrawals/{withdrawal_id}/approve": ADMIN,
    "POST /v1/withdrawals/{withdrawal_id}/reject": ADMIN, "GET /v1/withdrawals": ADMIN,
    "POST /v1/withdrawals/{withdrawal_id}/cancel": MALL,
    "GET /v1/users/{user_id}/withdrawals": MALL,
    "POST /v1/rules": ADMIN, "GET /v1/rules": ADMIN, "DELETE /v1/rules/{rule_id}": ADMIN,
    "POST /v1/rules/simulate": ADMIN, "POST /v1/settlement/run": ADMIN,
    "POST /v1/users/{user_id}/adjustments": ADMIN, "GET /v1/users/{user_id}/phone": ADMIN,
    "POST /v1/users/{user_id}/disable": ADMIN, "POST /v1/users/{user_id}/enable": ADMIN,
    "POST /v1/apikeys": ADMIN, "GET /v1/apikeys": ADMIN, "DELETE /v1/apikeys/{key_id}": ADMIN,
    "POST /v1/risk/detect": RISK, "GET /v1/jobs/{job_id}": RISK, "GET /v1/risk/rings": RISK,
    "GET /v1/risk/rings/{ring_id}": RISK, "POST /v1/risk/rings/{ring_id}/decision": RISK,
    "GET /v1/risk/users/{user_id}": RISK, "POST /v1/risk/users/{user_id}/decision": RISK,
    "POST /v1/risk/models": RISK, "GET /v1/risk/models": RISK,
    "GET /v1/risk/models/active": RISK,
    "GET /v1/compliance/tier-report": COMPLIANCE,
    "GET /v1/compliance/rebates/{rebate_id}/path": COMPLIANCE, "GET /v1/audit": COMPLIANCE,
    "POST /v1/compliance/tier-report/runs": COMPLIANCE,
    "GET /v1/compliance/tier-report/runs/{job_id}": COMPLIANCE,
    "GET /v1/compliance/tier-reports": COMPLIANCE,
    "GET /v1/compliance/tier-reports/{report_id}": COMPLIANCE,
    "GET /v1/compliance/rebates.csv": COMPLIANCE,
    "POST /v1/compliance/tier-reports/verify": COMPLIANCE,
    "GET /v1/ledger/check": ADMIN,
    "POST /v1/webhooks": ADMIN, "GET /v1/webhooks": ADMIN,
    "DELETE /v1/webhooks/{webhook_id}": ADMIN, "GET /v1/webhooks/{webhook_id}/deliveries": ADMIN,
    "POST /v1/team-rewards": ADMIN, "GET /v1/team-rewards": ADMIN,
    "DELETE /v1/team-rewards/{reward_id}": ADMIN,
    "POST /v1/team-rewards/{reward_id}/runs": ADMIN,
    "GET /v1/team-rewards/{reward_id}/runs/{job_id}": ADMIN,
    "GET /v1/team-rewards/{reward_id}/bonuses": ADMIN,
    "GET /v1/team-rewards/bonuses/{rebate_id}/certificate": COMPLIANCE,
}


def test_every_route_has_the_roles_the_contract_gives_it():
    declared = {f"{method} {route.path}": set(declared_roles(route) or ())
                for route in V1_ROUTES for method in route.methods}
    assert declared == EXPECTED_ROLES


def _calls():
    for route in V1_ROUTES:
        for method in sorted(route.methods):
            yield pytest.param(route, method, id=f"{method} {route.path}")


@pytest.mark.parametrize(("route", "method"), list(_calls()))
def test_role_matrix(client, route, method):
    path = re.sub(r"\{[^}]+\}", "nobody", route.path)
    allowed = declared_roles(route)
    assert client.request(method, path).status_code == 401
    bogus = client.request(method, path, headers={"Authorization": "Bearer not-a-key"})
    assert bogus.status_code == 401
    assert bogus.headers["content-type"] == "application/problem+json"
    for role in ROLES:
        answer = client.request(method, path, headers=auth(role), json=[])
        if role in allowed:
            assert answer.status_code not in (401, 403), (role, answer.text)
            assert answer.status_code < 500, answer.text
        else:
            assert answer.status_code == 403, (role, answer.status_code)
            assert answer.json()["type"].endswith("forbidden")


def test_health_needs_no_key(client):
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"neo4j": True, "redis": True,
                                                                  "audit_store": True}


def test_every_answer_carries_an_id_of_the_servers_making(client):
    given = client.get("/healthz", headers={"X-Request-ID": "mall-7:abc"})
    made = client.get("/v1/rules", headers={"X-Request-ID": "no spaces allowed"})
    assert made.status_code == 401  # errors carry one too
    ids = [given.headers["x-request-id"], made.headers["x-request-id"]]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids) and ids[0] != ids[1]
    assert made.headers.get_list("x-request-id") == [ids[1]]


def test_a_callers_request_id_is_kept_safe_and_short(client):
    from api.main import caller_request_id

    assert caller_request_id("mall-7:abc") == "mall-7:abc"
    assert caller_request_id("  ") is None
    assert caller_request_id("a b\x00<script>") == "a_b__script_"
    assert caller_request_id("x" * 5000) == "x" * 128


def test_unknown_keys_cost_no_neo4j_lookup(client, monkeypatch):
    """Keys are checked from memory: a flood of made-up keys reads nothing from Neo4j."""
    from graph import db
    from graph.users import apikeys

    apikeys.refresh()
    monkeypatch.setattr(apikeys, "REFRESH_SECONDS", 10**9)  # no periodic re-read mid-test
    reads = []
    for name in ("read_query", "read", "write"):
        real = getattr(db, name)
        monkeypatch.setattr(db, name, lambda *a, _real=real, _name=name, **k: (
            reads.append(_name), _real(*a, **k))[1])
    answers = [client.get("/v1/rules", headers={"Authorization": f"Bearer guess-{n}"})
               for n in range(200)]
    assert {a.status_code for a in answers} == {401}
    assert reads == []
    assert client.get("/v1/rules", headers=auth("admin")).status_code == 200
    assert reads  # the route's own read: the spy does see Neo4j being used


def _over_the_address_limit(address, limit, monkeypatch):
    """Requests from `address` until one is refused for the address; the answers, and the
    answer to the admin key sent just after, from the same address. None when the minute's
    window turned meanwhile (the counts restarted)."""
    from fastapi.testclient import TestClient

    from api import ratelimit
    from api.main import app

    monkeypatch.setenv("TIERGRAPH_RATE_LIMIT_PER_ADDRESS_PER_MINUTE", str(limit))
    get_settings.cache_clear()
    caller = TestClient(app, client=(address, 50000))
    window = int(time.time() // ratelimit.WINDOW_SECONDS)
    answers = [caller.get("/v1/rules") for _ in range(limit + 2)]
    with_key = caller.get("/v1/rules", headers=auth("admin"))
    if int(time.time() // ratelimit.WINDOW_SECONDS) != window:
        return None
    return answers, with_key


def test_an_address_over_its_limit_is_refused_before_its_key_is_checked(client, monkeypatch):
    from fastapi.testclient import TestClient

    from api.main import app

    address = f"test-{uuid.uuid4().hex[:12]}"
    try:
        seen = (_over_the_address_limit(address, 5, monkeypatch)
                or _over_the_address_limit(address + "-again", 5, monkeypatch))
        assert seen is not None
        answers, with_key = seen
        assert [a.status_code for a in answers] == [401] * 5 + [429] * 2
        refused = answers[-1]
        assert refused.headers["content-type"] == "application/problem+json"
        assert "from this address" in refused.json()["detail"]
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert with_key.status_code == 429  # a valid key does not lift the address's limit
        elsewhere = TestClient(app, client=(f"{address}-elsewhere", 50000))
        assert elsewhere.get("/v1/rules", headers=auth("admin")).status_code == 200
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
