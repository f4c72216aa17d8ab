"""A task's work as a job (workers/job_runner.py), on the real Redis the API reads jobs from:
what a poll of GET /v1/jobs/{id} sees as the work goes, succeeds, fails or is skipped."""

import logging

import pytest

from graph import jobs
from graph.errors import DomainError, conflict
from workers.job_runner import run_job

log = logging.getLogger(__name__)


def test_the_job_shows_each_stage_and_steps_of_progress_then_the_result(services, monkeypatch):
    job = jobs.create("test.runner", {})
    seen = []
    real_update = jobs.update

    def update_and_look(job_id, **fields):
        real_update(job_id, **fields)
        found = jobs.get(job_id)
        seen.append((found["status"], found["stage"], found["progress"]))

    monkeypatch.setattr(jobs, "update", update_and_look)

    def work(progress):
        for n in range(101):  # a hundred small steps: written in steps of 2%, not each
            progress("reading", n / 100)
        progress("writing", 0.5)
        return {"written": 3}

    assert run_job(job["job_id"], "test run", work, log) == {"written": 3}
    assert seen[0] == ("running", "starting", 0.0)
    reading = [p for status, stage, p in seen if stage == "reading"]
    assert reading == sorted(reading) and reading[-1] == 1.0 and 40 <= len(reading) <= 52
    assert ("running", "writing", 0.5) in seen
    found = jobs.get(job["job_id"])
    assert (found["status"], found["stage"], found["result"]) == ("succeeded", "done",
                                                                  {"written": 3})
    assert found["finished_at"] is not None


def test_a_failure_marks_the_job_failed_and_is_raised(services):
    job = jobs.create("test.runner", {})

    def work(progress):
        progress("reading", 0.3)
        raise ValueError("the graph said no")

    with pytest.raises(ValueError):
        run_job(job["job_id"], "test run", work, log)
    found = jobs.get(job["job_id"])
    assert (found["status"], found["error"]) == ("failed", "ValueError: the graph said no")


def test_a_scheduled_run_that_finds_another_on_is_skipped_and_an_asked_one_fails(services):
    def busy(progress):
        raise conflict("a detection run is under way")

    scheduled = jobs.create("test.runner", {})
    assert run_job(scheduled["job_id"], "test run", busy, log, skip_when_busy=True) == {
        "skipped": "a detection run is under way"}
    assert jobs.get(scheduled["job_id"])["status"] == "succeeded"
    asked = jobs.create("test.runner", {})
    with pytest.raises(DomainError):
        run_job(asked["job_id"], "test run", busy, log)
    assert jobs.get(asked["job_id"])["status"] == "failed"
