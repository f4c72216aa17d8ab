"""Ring scores learned from analysts' decisions, against the real stack: rings decided over
the API, the training job run by the worker, versions and the active one, detection scoring
with it (and holding by its score), the guard that keeps a model worse than the rules out."""

import os
import subprocess
import sys
from typing import Any

import orjson

from graph import db
from graph.audit import trail
from graph.risk import model_store, scoring
from graph.settings import get_settings
from tests.api.test_risk import _wait_for_job
from tests.conftest import auth
from tests.factories import make_order, make_session, make_user

RISK = auth("risk")


def _group(prefix: str, n: int, fresh: bool) -> tuple[list[str], list[dict[str, Any]]]:
    """Five or six accounts on one phone, each with its own card and address, ordering
    within minutes of each other. A farm's accounts registered that morning, one after the
    other; an office's are colleagues of long standing. Both are rings to the rules, scored
    by shared phone, lockstep and size; only an analyst tells them apart."""
    users = [f"{prefix}-{k}" for k in range(5 + n % 2)]
    day = f"2026-05-{1 + n % 28:02d}"
    events = []
    ip = f"198.51.{101 if fresh else 100}.{n + 1}"
    for k, user in enumerate(users):
        registered = (f"{day}T0{k}:00:00+08:00" if fresh
                      else f"2025-0{1 + k}-1{n % 9}T10:00:00+08:00")
        events += [make_user(user, at=registered),
                   make_session(user, f"{prefix}-phone", ip, at=f"{day}T11:0{k}:00+08:00"),
                   make_order(f"{user}-o", user, payment_account=f"{user}-card",
                              shipping_address=f"{user}-home", at=f"{day}T12:0{k}:00+08:00")]
    return users, events


def _post_events(client: Any, events: list[dict[str, Any]]) -> None:
    answer = client.post("/v1/events", headers=auth("mall"), json=events)
    assert answer.status_code == 200 and answer.json()["rejected"] == [], answer.text


def _run(client: Any, path: str) -> dict[str, Any]:
    """Start a job (detection or training) over the API and wait for its end."""
    answer = client.post(path, headers=RISK)
    assert answer.status_code == 202, answer.text
    job = _wait_for_job(client, answer.json()["job_id"])
    assert job["status"] == "succeeded", job
    return job


def _rings_by_members(client: Any) -> dict[tuple[str, ...], dict[str, Any]]:
    rings = client.get("/v1/risk/rings?limit=1000", headers=RISK).json()["rings"]
    return {tuple(r["members"]): r for r in rings}


def _decide(client: Any, ring_id: str, decision: str) -> None:
    answer = client.post(f"/v1/risk/rings/{ring_id}/decision", headers=RISK,
                         json={"decision": decision, "note": "model test"})
    assert answer.status_code == 200, answer.text


def test_decisions_train_a_model_that_detection_then_scores_and_holds_with(client, clean_graph):
    hold_score = get_settings().hold_score
    farms, offices, events = [], [], []
    for n in range(12):
        for prefix, fresh, kept in (("farm", True, farms), ("office", False, offices)):
            users, planted = _group(f"{prefix}{n}", n, fresh)
            kept.append(tuple(users))
            events += planted
    _post_events(client, events)
    assert _run(client, "/v1/risk/detect")["result"]["model_version"] == "rules"

    # Cold start: the rules score, explained by their weights; nothing to train on yet.
    rings = _rings_by_members(client)
    assert set(farms + offices) <= set(rings)
    for ring in rings.values():
        assert ring["model_version"] == "rules" and ring["score"] == ring["rule_score"]
        detail = client.get(f"/v1/risk/rings/{ring['ring_id']}", headers=RISK).json()
        top = max(abs(scoring.WEIGHTS[f] * v) for f, v in detail["features"].items()
                  if f in scoring.WEIGHTS)
        assert abs(detail["drivers"][0]["contribution"]) == round(top, 4)
        assert detail["drivers"] == ring["drivers"] and detail["model_version"] == "rules"
    cold = _run(client, "/v1/risk/models")["result"]
    assert (cold["version"], cold["activated"], cold["active_version"]) == (None, False, "rules")
    assert cold["labels"] == 0 and "cold start" in cold["reason"]
    missing = client.get("/v1/risk/models/active", headers=RISK)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert client.get("/v1/risk/models", headers=RISK).json() == {"items": [],
                                                                  "next_cursor": None}

    # The analysts confirm the farms and dismiss the offices: 24 labels.
    for members in farms:
        _decide(client, rings[members]["ring_id"], "confirm")
    for members in offices:
        _decide(client, rings[members]["ring_id"], "dismiss")
    trained = _run(client, "/v1/risk/models")["result"]
    assert (trained["version"], trained["activated"], trained["active_version"]) == (1, True, 1)
    assert (trained["labels"], trained["positives"]) == (24, 12)
    metrics = trained["metrics"]
    assert metrics["calibrated"] and metrics["model"]["log_loss"] < metrics["rules"]["log_loss"]
    assert metrics["model"]["auc"] == 1.0
    active = client.get("/v1/risk/models/active", headers=RISK).json()
    assert active["version"] == 1 and active["active"] and active["accepted"]
    assert active["metrics"] == metrics and active["trained_by"].startswith("risk:")
    assert {"new_accounts", "burst_registration", "rule_score_logit"} <= set(
        active["params"]["inputs"])

    # A new farm and a new office: detection scores them with version 1.
    new_farm, farm_events = _group("farm-new", 20, True)
    new_office, office_events = _group("office-new", 20, False)
    _post_events(client, farm_events + office_events)
    assert _run(client, "/v1/risk/detect")["result"]["model_version"] == 1
    rings = _rings_by_members(client)
    scorer = model_store.active()
    assert scorer is not None and scorer.version == 1
    for members in (tuple(new_farm), tuple(new_office), farms[0], offices[0]):
        ring = client.get(f"/v1/risk/rings/{rings[members]['ring_id']}", headers=RISK).json()
        assert ring["model_version"] == 1 and ring["drivers"] == rings[members]["drivers"]
        expected, drivers = scorer.predict(ring["features"], ring["rule_score"])
        assert ring["score"] == round(expected, 4) and ring["drivers"] == drivers
    farm, office = rings[tuple(new_farm)], rings[tuple(new_office)]
    assert farm["score"] >= hold_score > office["score"]
    assert farm["score"] != farm["rule_score"] and office["score"] != office["rule_score"]
    # what tells a farm from an office drove the farm's score up
    fresh = {d["feature"]: d["contribution"] for d in farm["drivers"]}
    assert fresh.get("new_accounts", 0) > 0 or fresh.get("burst_registration", 0) > 0
    # The model's score decides the hold, whatever the rules said.
    view = client.get(f"/v1/risk/users/{new_farm[0]}", headers=RISK).json()
    assert view["hold"] == farm["ring_id"]
    assert client.get(f"/v1/risk/users/{new_office[0]}", headers=RISK).json()["hold"] is None

    # Retraining makes version 2 the active one; the list pages newest first.
    again = _run(client, "/v1/risk/models")["result"]
    assert (again["version"], again["activated"]) == (2, True)
    first = client.get("/v1/risk/models?limit=1", headers=RISK).json()
    assert [m["version"] for m in first["items"]] == [2] and first["items"][0]["active"]
    rest = client.get(f"/v1/risk/models?limit=1&cursor={first['next_cursor']}",
                      headers=RISK).json()
    assert [(m["version"], m["active"]) for m in rest["items"]] == [(1, False)]
    assert rest["next_cursor"] is None
    bad = client.get("/v1/risk/models?cursor=not-a-cursor", headers=RISK)
    assert bad.status_code == 422 and bad.json()["reason"] == "invalid_cursor"
    assert client.get("/v1/risk/models", headers=auth("mall")).status_code == 403

    trainings = [e for e in trail.page(0, 100_000) if e["action"] == "risk.model.train"]
    assert [e["target"] for e in trainings] == ["risk_model:rules", "risk_model:1",
                                                "risk_model:2"]
    assert trainings[1]["after"]["activated"] and trainings[1]["actor"].startswith("risk:")


def test_a_model_worse_than_the_rules_is_kept_as_a_rejected_candidate(client, clean_graph):
    """Rings decided before rule scores were kept apart (`score` is the rule score), on
    which the rules were right and sure and the features are noise: the candidate is stored
    with its figures, and the rules keep scoring."""
    rings = [{"id": f"legacy-{n}", "status": "confirmed" if n % 2 == 0 else "dismissed",
              "score": 0.9999 if n % 2 == 0 else 0.0001,
              "features": orjson.dumps({"dense_shared_devices": (n * 7 % 10) / 10,
                                        "new_accounts": (n * 3 % 10) / 10}).decode()}
             for n in range(30)]
    db.write_query("testing.plant_legacy_decided_rings", rings=rings)
    assert len(model_store.labels()) == 30
    result = _run(client, "/v1/risk/models")["result"]
    assert (result["version"], result["accepted"], result["activated"]) == (1, False, False)
    assert result["active_version"] == "rules" and "worse than the rules" in result["reason"]
    assert result["metrics"]["model"]["log_loss"] > result["metrics"]["rules"]["log_loss"]
    [stored] = client.get("/v1/risk/models", headers=RISK).json()["items"]
    assert (stored["version"], stored["active"], stored["accepted"]) == (1, False, False)
    assert stored["metrics"] == result["metrics"] and (stored["labels"], stored["positives"]) == (
        30, 15)
    assert client.get("/v1/risk/models/active", headers=RISK).status_code == 404
    assert model_store.active() is None


def test_the_api_process_does_not_load_scikit_learn():
    """Only training loads scikit-learn (on the worker); the API scores nothing itself."""
    code = ("import sys, api.main, graph.risk.detection, graph.risk.model_store, "
            "workers.tasks.risk; print(sorted(m for m in sys.modules if m.startswith('sklearn')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ), check=True)
    assert out.stdout.strip() == "[]", out.stderr
