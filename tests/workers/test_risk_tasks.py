"""The detection task reports its stages and progress on its job as it goes (what
GET /v1/jobs/{id} shows while a run is in hand), against the real Neo4j and Redis."""

from graph import jobs
from graph.ingest.batch import ingest_raw
from graph.money import rebates
from lab.demo_mall import demo_mall
from workers.tasks.risk import detect


def test_the_job_goes_running_through_every_stage_with_rising_progress(clean_graph, monkeypatch):
    events, _ = demo_mall()
    assert not ingest_raw(events).rejected
    rebates.compute_rebates([e["order_id"] for e in events if e["type"] == "order_paid"])
    job = jobs.create("risk.detect-test", {"seed": 1})
    snapshots = []
    real_update = jobs.update

    def update_and_look(job_id, **fields):  # the real update, then what a poll would read
        real_update(job_id, **fields)
        snapshots.append(jobs.get(job_id))

    monkeypatch.setattr(jobs, "update", update_and_look)
    result = detect.run(job["job_id"], seed=1)

    assert [s["status"] for s in snapshots[:-1]] == ["running"] * (len(snapshots) - 1)
    assert snapshots[-1]["status"] == "succeeded" and snapshots[-1]["result"] == result
    running = [(s["stage"], s["progress"]) for s in snapshots[1:-1]]
    assert running[0] == ("starting", 0.0) or running[0][0] == "reading the graph"
    assert {stage for stage, _ in running} >= {"reading the graph", "index", "edges",
                                              "communities", "scoring", "storing rings",
                                              "holding rebates"}
    fractions = [p for _, p in running]
    assert fractions == sorted(fractions) and any(0.0 < p < 1.0 for p in fractions)
    assert jobs.get(job["job_id"])["finished_at"] is not None
