"""A caller cannot move settlement's clock: `POST /v1/settlement/run` refuses an as_of later
than now + 5 minutes (unless TIERGRAPH_ALLOW_FUTURE_AS_OF, tests only), more than ten years
back, or given as a number; a refused run moves nothing and audits nothing."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from graph import db
from graph.audit import trail
from graph.errors import DomainError
from graph.money import settlement
from graph.rules.book import ensure_default_rule
from graph.settings import get_settings
from tests.conftest import auth
from tests.factories import make_chain, make_order

MALL, ADMIN = auth("mall"), auth("admin")
PROBLEM = "application/problem+json"


def at(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat(timespec="seconds")


def order_paid_yesterday(client, ids) -> list[str]:
    """A three-tier chain and an order paid a day ago; the statuses of its rebates."""
    chain = [ids(f"c{n}") for n in range(4)]
    events = [*make_chain(chain), make_order(ids("o"), chain[-1], at=at(-timedelta(days=1)))]
    answer = client.post("/v1/events", headers=MALL, json=events)
    assert answer.json()["accepted"] == len(events), answer.text
    return statuses(client, ids("o"))


def statuses(client, order_id: str) -> list[str]:
    rows = client.post(f"/v1/orders/{order_id}/payouts", headers=MALL).json()["rebates"]
    return [r["status"] for r in rows]


def settle(client, as_of) -> dict:
    answer = client.post("/v1/settlement/run", headers=ADMIN, json={"as_of": as_of})
    if answer.status_code != 200:
        assert answer.headers["content-type"] == PROBLEM, answer.text
    return {"status": answer.status_code, **answer.json()}


def settlement_entries(as_of: str) -> list[dict]:
    return [e for e in trail.page(0, 100_000) if e["action"] == "settlement.run"
            and e["target"] == f"settlement:{as_of}"]


@pytest.mark.parametrize("ahead", [timedelta(minutes=6), timedelta(days=30),
                                   timedelta(days=365 * 70)])
def test_a_future_as_of_is_refused_and_moves_nothing(client, ids, ahead):
    assert set(order_paid_yesterday(client, ids)) == {"pending"}
    as_of = at(ahead)
    answer = settle(client, as_of)
    assert (answer["status"], answer["reason"]) == (422, "as_of_in_future"), answer
    assert answer["type"].endswith("/as-of-in-future")
    assert "later than the server's clock plus 5 minutes" in answer["detail"]
    assert set(statuses(client, ids("o"))) == {"pending"}
    assert settlement_entries(datetime.fromisoformat(as_of).isoformat()) == []


def test_more_than_ten_years_back_is_refused_as_a_mistyped_year(client):
    answer = settle(client, at(-timedelta(days=3660)))
    assert (answer["status"], answer["reason"]) == (422, "as_of_too_old"), answer
    assert "more than ten years before" in answer["detail"]


@pytest.mark.parametrize("as_of", [4102444799, 1.7e9, "4102444799", "1700000000.5", True,
                                   None, ["2026-01-01T00:00:00Z"], {"at": 1}, "2026-01-01"])
def test_as_of_is_iso_text_with_a_time_never_a_number(client, as_of):
    """pydantic alone reads 4102444799 (or the same digits as text) as 2099-12-31T23:59:59Z."""
    answer = settle(client, as_of)
    assert answer["status"] == 422, answer
    assert answer["type"].endswith("/validation")


def test_the_bounds_against_the_clock():
    """check_as_of is the rule the route and the task both go through: 5 minutes of slack
    ahead of `now`, ten years back."""
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    for allowed in (now, now + timedelta(minutes=5), now - timedelta(days=3653)):
        settlement.check_as_of(allowed, now)
    for refused, reason in ((now + timedelta(minutes=5, seconds=1), "as_of_in_future"),
                            (now - timedelta(days=3653, seconds=1), "as_of_too_old")):
        with pytest.raises(DomainError) as caught:
            settlement.check_as_of(refused, now)
        assert caught.value.extra["reason"] == reason


def test_the_task_refuses_a_future_as_of_too(graph):
    """The Celery task takes an as_of (beat sends none: now); a forged one is refused by the
    same rule before anything moves."""
    from workers.app import app
    from workers.tasks.settlement import run

    as_of = at(timedelta(days=30))
    with pytest.raises(DomainError, match="later than the server's clock"):
        run(as_of)
    assert settlement_entries(datetime.fromisoformat(as_of).isoformat()) == []
    daily = app.conf.beat_schedule["settlement-daily"]
    assert not daily.get("args") and not daily.get("kwargs")  # beat settles as of now


@pytest.fixture
def future_allowed(monkeypatch, clean_graph) -> Iterator[None]:
    """TIERGRAPH_ALLOW_FUTURE_AS_OF=true on an empty graph, emptied again afterwards (a
    future run credits everything due and is remembered as the last run)."""
    monkeypatch.setenv("TIERGRAPH_ALLOW_FUTURE_AS_OF", "true")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()
    db.reset_database()
    ensure_default_rule()


def test_tests_may_settle_in_the_future_when_the_setting_allows_it(client, ids, future_allowed):
    pending = order_paid_yesterday(client, ids)
    assert set(pending) == {"pending"}
    answer = settle(client, at(timedelta(days=30)))
    assert answer["status"] == 200, answer
    n = len(pending)
    assert (answer["confirmed"], answer["payable"], answer["credited"]) == (n, n, n)
    assert set(statuses(client, ids("o"))) == {"credited"}
