"""When detection runs, against the real services: incremental runs that redo only the
component written to and leave the other rings, their holds and decisions as they were;
the nightly beat entry before settlement run as a job by the worker; one run after a large
import."""

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from celery.schedules import crontab

from graph import db, jobs, redis_clients
from graph.audit import trail
from graph.ingest.batch import ingest_raw
from graph.ingest.pipeline import ingest_lines
from graph.money import rebates
from graph.risk import reads, schedule
from graph.settings import get_settings
from tests.conftest import auth
from tests.factories import make_order, make_session, make_user
from workers.app import app
from workers.tasks import risk as risk_tasks

T0 = datetime(2026, 3, 10, 12, tzinfo=UTC)


def _at(hours: float) -> str:
    return (T0 + timedelta(hours=hours)).isoformat()


def _farm(name: str, hour: float, size: int = 10) -> list[dict[str, Any]]:
    """A farm of `size` accounts on two emulators of its own, chained under an organiser,
    each paying a small order with the farm's card to the farm's drop."""
    ip = f"45.0.{len(name)}.9"
    events = [make_user(f"{name}-0", at=_at(hour - 1500)),
              make_session(f"{name}-0", f"{name}-emu-1", ip, _at(hour - 1))]
    for n in range(1, size):
        events += _fake(name, n, hour)
    return events


def _fake(name: str, n: int, hour: float) -> list[dict[str, Any]]:
    """Farm account `n`: registered under the farm, a session and an order on an emulator."""
    user, inviter = f"{name}-{n}", f"{name}-0" if n <= 3 else f"{name}-{(n - 1) // 3}"
    device, ip = f"{name}-emu-{n % 2}", f"45.0.{len(name)}.9"
    return [make_user(user, inviter, at=_at(hour + n / 10)),
            make_session(user, device, ip, _at(hour + n / 10 + 0.05)),
            make_order(f"{name}-o{n}", user, [("beauty", 1990)], at=_at(hour + 2 + n / 20),
                       device_id=device, ip=ip, payment_account=f"{name}-pa",
                       shipping_address=f"{name}-drop")]


def _load(events: list[dict[str, Any]]) -> None:
    result = ingest_raw(sorted(events, key=lambda e: e["at"]))
    assert not result.rejected and result.accepted == len(events)
    rebates.compute_rebates(result.new_order_ids)


def _wait(job_id: str, timeout: float = 180.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = jobs.get(job_id)
        if job is not None and job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish in {timeout} s")


def _detect(client: Any, **body: Any) -> dict[str, Any]:
    answer = client.post("/v1/risk/detect", json={"seed": 1, **body}, headers=auth("risk"))
    assert answer.status_code == 202, answer.text
    job = _wait(answer.json()["job_id"])
    assert job["status"] == "succeeded", job
    return job["result"]


def _ring_of(member: str) -> dict[str, Any]:
    ring = reads.get_ring(reads.user_risk(member)["ring_id"], with_subgraph=False)
    assert ring is not None
    return ring


def _rebates_of(members: list[str]) -> list[dict[str, Any]]:
    return db.read_query("testing.rebates_of_buyers", user_ids=members)


def _users(prefix: str) -> dict[str, dict[str, Any]]:
    """The stored properties of the users whose id starts with `prefix`, by id."""
    rows = db.read_query("testing.raw_user_properties", prefix=prefix)
    return {row["props"]["id"]: row["props"] for row in rows}


def test_writes_stamp_the_users_they_touch_and_replays_do_not(graph, ids):
    user, other = ids("u"), ids("v")
    _load([make_user(user, at=_at(0)), make_user(other, at=_at(0)),
           make_session(user, ids("d"), "10.9.9.9", _at(1))])
    first = _users(ids(""))
    assert first[user]["touched_at"] >= first[other]["touched_at"]  # the session came after
    _load([make_order(ids("o"), user, at=_at(2))])
    ordered = _users(ids(""))[user]["touched_at"]
    assert ordered > first[user]["touched_at"]
    assert _users(ids(""))[other]["touched_at"] == first[other]["touched_at"]
    # a replayed session changes nothing; a refund touches the buyer
    assert ingest_raw([make_session(user, ids("d"), "10.9.9.9", _at(1))]).duplicates == 1
    assert _users(ids(""))[user]["touched_at"] == ordered
    refund = {"type": "order_refunded", "order_id": ids("o"), "refund_id": ids("r"),
              "amount_cents": 100, "at": _at(3)}
    assert ingest_raw([refund]).accepted == 1
    assert _users(ids(""))[user]["touched_at"] > ordered


def test_an_incremental_run_redoes_the_touched_component_only(clean_graph, client, ids):
    a, b, c = ids("fa"), ids("fbb"), ids("fccc")
    _load(_farm(a, 0) + _farm(b, 50) + _farm(c, 100))
    first = _detect(client, full=True)
    assert (first["mode"], first["mode_reason"], first["rings"]) == ("full", "asked", 3)
    ring_a, ring_b, ring_c = _ring_of(f"{a}-1"), _ring_of(f"{b}-1"), _ring_of(f"{c}-1")
    assert ring_b["status"] == "open" and ring_b["score"] >= get_settings().hold_score
    dismissed = client.post(f"/v1/risk/rings/{ring_c['ring_id']}/decision", headers=auth("risk"),
                            json={"decision": "dismiss", "note": "a team-building trip"})
    assert dismissed.status_code == 200, dismissed.text
    ring_c = _ring_of(f"{c}-1")
    held_b = _rebates_of(ring_b["members"])
    assert held_b and {r["status"] for r in held_b} == {"held"}
    marked = {user: props.get("hold_ring") for user, props in _users(f"{b}-").items()}
    assert set(marked.values()) == {ring_b["ring_id"]}  # its members' next rebates are held

    # Farm a grows by an account: only its component is written to.
    _load(_fake(a, 10, 0))
    again = _detect(client)

    assert again["mode"] == "incremental"
    assert (again["components_rerun"], again["components_kept"]) == (1, 2)
    assert (again["rings"], again["rings_kept"], again["lapsed_rings"]) == (1, 1, 0)
    grown = _ring_of(f"{a}-10")
    assert grown["ring_id"] == ring_a["ring_id"] and f"{a}-10" in grown["members"]
    assert grown["detected_at"] > ring_a["detected_at"]
    # The new account's order earned rebates the ring holds now.
    assert {r["status"] for r in _rebates_of([f"{a}-10"])} == {"held"}
    # Ring b: not detected again, not rescored; its holds stand. Ring c keeps its decision.
    assert _ring_of(f"{b}-1") == ring_b and _rebates_of(ring_b["members"]) == held_b
    assert {user: props.get("hold_ring") for user, props in _users(f"{b}-").items()} == marked
    assert _ring_of(f"{c}-1") == ring_c and ring_c["status"] == "dismissed"

    full = _detect(client, full=True)
    assert (full["mode"], full["rings"], full["rings_kept"]) == ("full", 3, 0)
    assert full["components_rerun"] is None and full["lapsed_rings"] == 0
    assert [_ring_of(f"{x}-1")["ring_id"] for x in (a, b, c)] == [
        ring_a["ring_id"], ring_b["ring_id"], ring_c["ring_id"]]
    assert _ring_of(f"{b}-1")["detected_at"] > ring_b["detected_at"]
    assert _ring_of(f"{c}-1")["status"] == "dismissed"


def test_full_is_a_boolean(client):
    answer = client.post("/v1/risk/detect", json={"full": "yes"}, headers=auth("risk"))
    assert answer.status_code == 422


def test_nothing_written_since_the_last_run_keeps_everything(clean_graph, client, ids):
    _load(_farm(ids("fa"), 0) + _farm(ids("fbb"), 50))
    assert _detect(client)["mode_reason"] == "first run"  # a graph never detected: full
    ring = _ring_of(f"{ids('fa')}-1")

    again = _detect(client)

    assert again["mode"] == "incremental" and again["components_rerun"] == 0
    assert (again["rings"], again["rings_kept"], again["lapsed_rings"]) == (0, 2, 0)
    assert _ring_of(f"{ids('fa')}-1") == ring


def test_the_nightly_run_comes_before_settlement_and_runs_as_a_job(clean_graph, ids):
    beat = app.conf.beat_schedule
    nightly, settlement = beat["risk-detect-nightly"], beat["settlement-daily"]
    assert nightly["task"] == "risk.detect_nightly" and "risk.detect_nightly" in app.tasks
    assert isinstance(nightly["schedule"], crontab)
    run_at, settle_at = nightly["schedule"], settlement["schedule"]
    assert (run_at.hour, run_at.minute) == ({17}, {0}) and settle_at.hour == {18}
    _load(_farm(ids("fa"), 0))

    started = app.send_task("risk.detect_nightly").get(timeout=60)  # run by the worker

    job = _wait(started["job_id"])
    assert job["status"] == "succeeded" and job["params"]["trigger"] == "nightly"
    assert job["progress"] == 1.0 and job["result"]["rings"] == 1
    [entry] = [e for e in trail.page(0, 100_000) if e["action"] == "risk.detect"]
    assert entry["actor"] == "beat:detect"
    assert entry["target"] == f"detection:{job['result']['run_id']}"


def test_a_nightly_run_finding_a_run_under_way_is_skipped(clean_graph):
    guard = jobs.lock("risk.detect")  # a run in the shell holds the lock, with no job
    assert guard.acquire()
    try:
        assert risk_tasks.detect_nightly.run() == {
            "job_id": None, "skipped": "a detection run is under way"}
        # the same when it gets past that look: its job ends as skipped, not failed
        job = jobs.create("risk.detect", {"seed": 0, "trigger": "nightly"})
        result = risk_tasks.detect.run(job["job_id"], 0, "beat:detect", False, True)
    finally:
        guard.release()
    assert "under way" in result["skipped"]
    assert jobs.get(job["job_id"])["status"] == "succeeded"
    assert [e for e in trail.page(0, 100_000) if e["action"] == "risk.detect"] == []


@pytest.fixture
def after_events(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A 50-event threshold and no quiet period, in this process (where ingestion runs);
    the trigger starts unarmed."""
    monkeypatch.setenv("TIERGRAPH_DETECT_AFTER_EVENTS", "50")
    monkeypatch.setenv("TIERGRAPH_DETECT_QUIET_SECONDS", "0")
    get_settings.cache_clear()
    redis_clients.app().delete(schedule.KEY)
    yield
    redis_clients.app().delete(schedule.KEY)
    monkeypatch.undo()
    get_settings.cache_clear()


def test_a_large_import_queues_one_detection(clean_graph, after_events, ids):
    small = [make_user(ids(f"s{n}")) for n in range(10)]
    ingest_raw(small)  # under the threshold: nothing armed
    assert risk_tasks.detect_after_events.run() == {"job_id": None,
                                                     "skipped": "no large write due"}
    events = sorted(_farm(ids("fa"), 0) + _farm(ids("fbb"), 50), key=lambda e: e["at"])
    lines = [orjson.dumps(e) for e in events]

    result = ingest_lines(lines, 10, pipelined=True)  # six chunks: one armed trigger
    assert result.accepted == len(events) == 58

    started = risk_tasks.detect_after_events.run()
    assert started["skipped"] is None
    job = _wait(started["job_id"])
    assert job["status"] == "succeeded" and job["params"] == {
        "seed": 0, "trigger": "after_events", "events": 58}
    assert job["result"]["rings"] == 2
    assert risk_tasks.detect_after_events.run()["skipped"] == "no large write due"
    runs = [e for e in trail.page(0, 100_000) if e["action"] == "risk.detect"]
    assert [e["actor"] for e in runs] == ["beat:detect-after-events"]
