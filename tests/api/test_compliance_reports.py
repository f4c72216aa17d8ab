"""Stored tier reports: full runs as worker jobs, the current answer kept up to date by what
was written since the latest report, the list of past reports with their digests."""

import time
from datetime import timedelta
from typing import Any

import pytest

from graph import compliance, compliance_reports, db
from graph.ingest.batch import ingest_raw
from graph.money.rebates import compute_rebates
from tests.conftest import auth
from tests.factories import make_chain, make_order

COMPLIANCE = auth("compliance")


def _wait_for_run(client: Any, job_id: str, timeout: float = 180.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    progress: list[float] = []
    while time.monotonic() < deadline:
        answer = client.get(f"/v1/compliance/tier-report/runs/{job_id}", headers=COMPLIANCE)
        assert answer.status_code == 200, answer.text
        job = answer.json()
        progress.append(job["progress"])
        if job["status"] in ("succeeded", "failed"):
            job["progress_seen"] = progress
            return job
        time.sleep(0.05)
    raise AssertionError(f"run {job_id} did not finish in {timeout} s")


def _mall(ids: Any, buyers: int = 3) -> list[str]:
    """A chain of five users, and orders by the last `buyers` of them, rebates computed."""
    chain = [ids(f"c{n}") for n in range(5)]
    orders = [make_order(ids(f"o{n}"), chain[n]) for n in range(5 - buyers, 5)]
    assert not ingest_raw(make_chain(chain) + orders).rejected
    compute_rebates([o["order_id"] for o in orders])
    return chain


def _current(client: Any) -> dict[str, Any]:
    answer = client.get("/v1/compliance/tier-report", headers=COMPLIANCE)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert compliance.report_digest(report) == report["digest"]
    return report


def _store() -> dict[str, Any]:
    return compliance_reports.run_and_store("test", "test:compliance", "compliance")


def test_a_run_stores_a_report_listed_with_its_digest(client, clean_graph, ids):
    _mall(ids)  # buyers c2, c3, c4: 2 + 3 + 3 rebates
    started = client.post("/v1/compliance/tier-report/runs", headers=COMPLIANCE)
    assert started.status_code == 202, started.text
    job = _wait_for_run(client, started.json()["job_id"])
    assert job["status"] == "succeeded", job
    assert (job["kind"], job["stage"], job["progress"]) == ("compliance.verify", "done", 1.0)
    assert job["progress_seen"] == sorted(job["progress_seen"])  # progress never goes back
    result = job["result"]
    assert (result["rebates_checked"], result["users_checked"], result["compliant"]) == (
        8, 5, True)

    listed = client.get("/v1/compliance/tier-reports", headers=COMPLIANCE).json()
    assert listed["items"][0]["id"] == result["report_id"]
    assert listed["items"][0]["digest"] == result["digest"]
    assert listed["items"][0]["counts"]["rebates_checked"] == 8
    stored = client.get(f"/v1/compliance/tier-reports/{result['report_id']}",
                        headers=COMPLIANCE).json()
    assert compliance.report_digest(stored) == stored["digest"] == result["digest"]
    assert (stored["trigger"], stored["max_paid_tier"], stored["violations"]) == ("api", 3, [])
    assert (stored["kind"], stored["based_on"], job["params"]["mode"]) == ("full", None, "full")
    assert compliance.report_digest({**stored, "rebates_checked": 9}) != stored["digest"]

    # The report's digest is in the hash-chained audit log, under the key that asked for it.
    entries = client.get("/v1/audit?limit=1000", headers=COMPLIANCE).json()["entries"]
    entry = next(e for e in entries if e["target"] == f"tier_report:{result['report_id']}")
    assert (entry["action"], entry["after"]["digest"]) == ("compliance.tier_report",
                                                           result["digest"])
    assert entry["actor"] == "compliance:bootstrap key"

    # Nothing written since: the current answer is the stored report's, digested anew.
    current = _current(client)
    assert (current["report_id"], current["report_digest"]) == (result["report_id"],
                                                                 result["digest"])
    assert (current["rebates_checked"], current["users_checked"], current["compliant"]) == (
        8, 5, True)
    assert current["since_report"] == {"rebates_checked": 0, "users_checked": 0}
    assert current["pending"] == {"rebates": 0, "invites": 0} and current["run_job_id"] is None

    # A saved copy, stored or current, checks against its digest and the stored report.
    def check(saved: dict) -> dict:
        answer = client.post("/v1/compliance/tier-reports/verify", headers=COMPLIANCE,
                             json=saved)
        assert answer.status_code == 200, answer.text
        return answer.json()

    for saved in (stored, current):
        verdict = check(saved)
        assert (verdict["intact"], verdict["matches_stored"]) == (True, True)
        assert verdict["stored_digest"] == result["digest"]
    edited = check({**stored, "compliant": False})
    assert (edited["intact"], edited["matches_stored"]) == (False, True)
    forged = {**stored, "rebates_checked": 0}
    forged["digest"] = compliance.report_digest(forged)  # re-digested after the edit
    assert (check(forged)["intact"], check(forged)["matches_stored"]) == (True, False)
    unknown = {**stored, "report_id": "tr-nowhere"}
    unknown["digest"] = compliance.report_digest(unknown)
    assert check(unknown)["matches_stored"] is None
    bad = client.post("/v1/compliance/tier-reports/verify", headers=COMPLIANCE,
                      json={"rebates_checked": 1})
    assert bad.status_code == 422 and bad.json()["reason"] == "not_a_report"


def test_violations_written_after_a_report_show_in_the_next_answer_and_run(
        client, clean_graph, ids):
    chain = _mall(ids)
    first = _store()
    assert first["compliant"] and first["rebates_checked"] == 8

    # A writer with bugs stores a fourth tier and a second inviter, with their creation times.
    planted = db.write_query("testing.write_over_cap_rebate", order_id=ids("o4"), tier=4,
                             path=list(reversed(chain)))[0]["rebate_id"]
    db.write_query("testing.write_second_inviter", inviter=chain[0], user=chain[3])

    current = _current(client)  # no full run in between
    assert current["report_id"] == first["report_id"]
    # c3 is checked again for its new inviter, not counted again
    assert current["since_report"] == {"rebates_checked": 1, "users_checked": 0}
    assert (current["rebates_checked"], current["users_checked"]) == (9, 5)
    assert (current["compliant"], current["max_paid_tier"]) == (False, 4)
    assert current["violations"] == [{"code": "tier_over_cap", "count": 1,
                                      "detail": "rebates paid beyond tier 3",
                                      "examples": [planted]}]
    assert (current["multiple_inviters"], current["multiple_inviter_examples"]) == (
        1, [chain[3]])
    assert current["pending"] == {"rebates": 0, "invites": 0}

    # The next full run finds the same, and the answer after it counts nothing twice.
    second = _store()
    assert second["report_id"] != first["report_id"]
    assert (second["rebates_checked"], second["users_checked"]) == (9, 5)
    assert [(v["code"], v["count"], v["examples"]) for v in second["violations"]] == [
        ("tier_over_cap", 1, [planted])]
    assert (second["multiple_inviters"], second["compliant"]) == (1, False)
    current = _current(client)
    assert (current["report_id"], current["since_report"]) == (
        second["report_id"], {"rebates_checked": 0, "users_checked": 0})
    assert (current["rebates_checked"], current["multiple_inviters"]) == (9, 1)
    assert current["violations"] == [
        {"code": "tier_over_cap", "count": 1, "detail": "rebates paid beyond tier 3",
         "examples": [planted]}]

    # Written around the application (no creation time: someone with database access), a
    # violation waits for the next full run, which finds it.
    db.write_query("testing.plant_violations", prefix=ids("x-"))
    assert _current(client)["violations"] == current["violations"]
    third = _store()
    found = {v["code"]: v for v in third["violations"]}
    assert set(found["tier_over_cap"]["examples"]) == {planted, ids("x-rb")}
    assert found["path_mismatch"]["count"] == 2
    assert (third["multiple_inviters"], third["invite_cycles"]) == (2, 2)


def test_what_the_answer_cannot_check_in_time_is_pending_and_a_run_catches_up(
        client, clean_graph, ids, monkeypatch):
    first = _store()
    monkeypatch.setattr(compliance_reports, "SINCE_LIMIT", 2)
    _mall(ids)  # after the report: 5 users (4 invite edges) and 8 rebates
    current = _current(client)
    assert current["report_id"] == first["report_id"]
    assert current["since_report"] == {"rebates_checked": 2, "users_checked": 2}
    assert current["pending"] == {"rebates": 6, "invites": 2}
    times = [first["covers_until"], current["covers_until"], current["generated_at"]]
    assert [compliance.instant(t) for t in times] == sorted(compliance.instant(t) for t in times)
    assert current["compliant"] is True  # over what it covers
    assert current["run_job_id"] is not None  # queued to catch up

    # The queued catch-up run covers what is older than a minute: nothing here yet.
    job = _wait_for_run(client, current["run_job_id"])
    assert job["status"] == "succeeded", job
    assert (job["result"]["report_id"], job["params"]["mode"]) == (first["report_id"],
                                                                   "catch_up")
    # A minute later (no margin here), a catch-up carries the report forward over it all.
    monkeypatch.setattr(compliance, "CATCH_UP_MARGIN", timedelta(0))
    carried = compliance_reports.run_and_store("test", "test:compliance", "compliance",
                                               mode="catch_up")
    assert (carried["kind"], carried["based_on"]) == ("catch_up", first["report_id"])
    assert compliance.report_digest(carried) == carried["digest"]
    # c0, who has no inviter, waits for the next full run to be counted: nothing to check
    assert (carried["rebates_checked"], carried["users_checked"]) == (8, 4)
    caught_up = _current(client)
    assert caught_up["report_id"] == carried["report_id"]
    assert caught_up["pending"] == {"rebates": 0, "invites": 0}
    assert caught_up["since_report"] == {"rebates_checked": 0, "users_checked": 0}
    assert caught_up["rebates_checked"] == 8 and caught_up["run_job_id"] is None
    assert _store()["users_checked"] == 5


def test_no_report_on_a_large_graph_queues_one_and_says_so(client, clean_graph, ids,
                                                           monkeypatch):
    _mall(ids)
    monkeypatch.setattr(compliance_reports, "VERIFY_WHILE_WAITING", 0)
    answer = client.get("/v1/compliance/tier-report", headers=COMPLIANCE)
    assert answer.status_code == 503, answer.text
    problem = answer.json()
    assert problem["type"].endswith("report-pending") and answer.headers["retry-after"]
    assert problem["job_id"] in problem["detail"]
    assert _wait_for_run(client, problem["job_id"])["status"] == "succeeded"
    assert _current(client)["rebates_checked"] == 8


def test_a_small_graph_without_a_report_gets_one_made_while_it_waits(client, clean_graph, ids):
    _mall(ids)
    current = _current(client)
    assert (current["rebates_checked"], current["users_checked"]) == (8, 5)
    listed = client.get("/v1/compliance/tier-reports", headers=COMPLIANCE).json()["items"]
    assert [(r["id"], r["trigger"]) for r in listed] == [(current["report_id"], "first_report")]


def test_reports_page_newest_first_and_refuse_a_bad_cursor(client, graph):
    made = [_store()["report_id"] for _ in range(3)]
    first = client.get("/v1/compliance/tier-reports?limit=2", headers=COMPLIANCE).json()
    assert [r["id"] for r in first["items"]] == made[:0:-1]
    second = client.get(f"/v1/compliance/tier-reports?limit=2&cursor={first['next_cursor']}",
                        headers=COMPLIANCE).json()
    assert second["items"][0]["id"] == made[0]
    everything, cursor = [], None
    while True:
        page = client.get("/v1/compliance/tier-reports?limit=1000"
                          + (f"&cursor={cursor}" if cursor else ""), headers=COMPLIANCE).json()
        everything += [r["id"] for r in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert everything == sorted(everything, reverse=True) and set(made) <= set(everything)
    for query in ("cursor=not-a-cursor", "cursor=WzFd", "limit=0", "limit=1001"):
        answer = client.get(f"/v1/compliance/tier-reports?{query}", headers=COMPLIANCE)
        assert answer.status_code == 422, (query, answer.text)
    assert client.get("/v1/compliance/tier-reports?cursor=WzFd",
                      headers=COMPLIANCE).json()["type"].endswith("invalid-cursor")
    for path in ("/v1/compliance/tier-reports/tr-nothing",
                 "/v1/compliance/tier-report/runs/no-such-run"):
        answer = client.get(path, headers=COMPLIANCE)
        assert answer.status_code == 404 and answer.json()["type"].endswith("not-found")


def test_another_kind_of_job_is_not_a_tier_report_run(client, graph):
    from graph import jobs

    other = jobs.create("testing.other", {})
    answer = client.get(f"/v1/compliance/tier-report/runs/{other['job_id']}",
                        headers=COMPLIANCE)
    assert answer.status_code == 404


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/v1/compliance/tier-report"), ("POST", "/v1/compliance/tier-report/runs"),
    ("GET", "/v1/compliance/tier-reports")])
def test_reports_are_for_compliance_and_admin(client, graph, method, path):
    for role in ("mall", "risk"):
        answer = client.request(method, path, headers=auth(role))
        assert answer.status_code == 403 and answer.json()["type"].endswith("forbidden")
    for role in ("compliance", "admin"):
        answer = client.request(method, path, headers=auth(role))
        assert answer.status_code in (200, 202), (role, answer.text)


def test_the_daily_run_is_on_beat_after_settlement_and_stores_a_report(client, clean_graph, ids):
    from celery.schedules import crontab

    from workers.app import app

    beat = app.conf.beat_schedule
    daily, settlement = beat["compliance-verify-daily"], beat["settlement-daily"]
    assert daily["task"] == "compliance.verify_daily" and isinstance(daily["schedule"], crontab)
    assert (daily["schedule"].hour, settlement["schedule"].hour) == ({19}, {18})
    _mall(ids)
    started = app.send_task("compliance.verify_daily").get(timeout=60)  # run by the worker
    job = _wait_for_run(client, started["job_id"])
    assert job["status"] == "succeeded", job
    assert job["params"] == {"trigger": "daily", "mode": "full"}
    stored = compliance_reports.get(job["result"]["report_id"])
    assert (stored["trigger"], stored["kind"], stored["rebates_checked"]) == ("daily", "full", 8)
    entries = client.get("/v1/audit?limit=1000", headers=COMPLIANCE).json()["entries"]
    assert [e["actor"] for e in entries if e["target"] == f"tier_report:{stored['report_id']}"
            ] == ["beat:compliance"]
