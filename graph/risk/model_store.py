"""Learned ring models in Neo4j: labels from analysts' decisions, training (one run at a
time, audited), `RiskModel` versions 1, 2, 3 ... of which one at most is active, and the
score detection gives a ring with the active model or, without one, the rules.

A model is stored as JSON (`graph.risk.model.RingModel.to_json`), so scoring needs no
scikit-learn: only training loads it (`graph.risk.model.train`, in the worker).
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson

from graph import db, jobs, paging
from graph.audit import trail
from graph.errors import conflict
from graph.risk import model, scoring
from graph.risk.model import Label, RingModel

LOCK = "risk.train_model"
Progress = Callable[[str, float], None]


def _quiet(stage: str, fraction: float) -> None:
    return None


def labels() -> list[Label]:
    """Every confirmed or dismissed ring as a label, in ring id order."""
    return [Label(features=orjson.loads(r["features"]) if r["features"] else {},
                  rule_score=float(r["rule_score"] or 0.0), confirmed=bool(r["confirmed"]))
            for r in db.read_query("risk.model_labels")]


def active() -> RingModel | None:
    """The active model, or None when the rules score rings (cold start)."""
    rows = db.read_query("risk.model_active")
    if not rows:
        return None
    return RingModel.from_json(orjson.loads(rows[0]["params"])).with_version(rows[0]["version"])


def version_of(scorer: RingModel | None) -> int | str:
    """The version a ring records: the model's number, or "rules"."""
    return scorer.version if scorer is not None and scorer.version is not None else model.RULES


def scored(scorer: RingModel | None, features: dict[str, float],
           rule_score: float) -> dict[str, Any]:
    """A ring's stored score fields: `score` (the model's, or the rule score), `rule_score`,
    `model_version` and `drivers` (JSON)."""
    value, version, drivers = model.score(scorer, features, rule_score, scoring.WEIGHTS)
    return {"score": round(value, 4), "rule_score": round(rule_score, 4),
            "model_version": version, "drivers": orjson.dumps(drivers).decode()}


def train(progress: Progress = _quiet, actor: str = "system:train") -> dict[str, Any]:
    """Train a model on the decided rings and store it as the next version, active when it
    is not worse than the rules; one run at a time (a Redis lock). Returns what the job
    shows: version (None at cold start), labels, metrics, accepted, activated, and the
    version that scores rings from now on."""
    guard = jobs.lock(LOCK)
    if not guard.acquire():
        raise conflict("another model training is under way; try again when it ends")
    try:
        return _train(progress, actor)
    finally:
        guard.release()


def _train(progress: Progress, actor: str) -> dict[str, Any]:
    started = datetime.now(UTC)
    progress("reading labels", 0.0)
    found = labels()
    progress("training", 0.2)
    training = model.train(found)
    progress("storing", 0.9)
    before = version_of(active())
    result: dict[str, Any] = {
        "version": None, "labels": training.labels, "positives": training.positives,
        "min_per_class": model.MIN_PER_CLASS, "metrics": training.metrics,
        "accepted": training.accepted, "activated": False, "reason": training.reason,
        "active_version": before}

    def record(tx: Any) -> None:
        if training.model is not None:
            row = {"trained_at": started.isoformat(), "trained_by": actor,
                   "labels": training.labels, "positives": training.positives,
                   "active": training.accepted, "accepted": training.accepted,
                   "reason": training.reason,
                   "metrics": orjson.dumps(training.metrics, option=orjson.OPT_SORT_KEYS).decode(),
                   "params": orjson.dumps(training.model.to_json()).decode()}
            version = db.run(tx, "risk.model_create", model=row)[0]["version"]
            result.update(version=version, activated=training.accepted,
                          active_version=version if training.accepted else before)
        trail.append(tx, actor=actor, role="risk", action="risk.model.train",
                     target=f"risk_model:{result['version'] or model.RULES}", after=result)

    db.write(record)
    result["seconds"] = round((datetime.now(UTC) - started).total_seconds(), 2)
    progress("done", 1.0)
    return result


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    trained_at = db.to_native(row["trained_at"])
    params = orjson.loads(row["params"])
    params.pop("version", None)  # the row's own
    return {**row, "trained_at": trained_at.isoformat() if trained_at is not None else None,
            "metrics": orjson.loads(row["metrics"]) if row["metrics"] else {},
            "params": params}


def get_active() -> dict[str, Any] | None:
    """The active model as stored (figures and parameters), or None: the rules score."""
    rows = db.read_query("risk.model_active")
    return _shown(rows[0]) if rows else None


def page(limit: int, cursor: str | None) -> dict[str, Any]:
    """Stored models newest first, a page at a time (keyset on the version)."""
    rows = db.read_query("risk.model_page", before=paging.decode(cursor, _version),
                         limit=limit + 1)
    return paging.page([_shown(r) for r in rows], limit, lambda item: [item["version"]])


def _version(keys: list[Any]) -> int:
    """The version a cursor carries (the last one of the page before)."""
    [version] = keys
    if type(version) is not int:
        raise ValueError("not a version")
    return version
