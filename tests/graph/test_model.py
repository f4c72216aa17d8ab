"""The ring model learned from analysts' decisions (pure): training, calibration, the cold
start, drivers, the JSON form and the guard against a model worse than the rules."""

import math
import random

import orjson
import pytest

from graph.risk import model
from graph.risk.model import Label, RingModel

RING_LIKE = {"dense_shared_devices": 0.95, "synchronised_orders": 0.9, "new_accounts": 0.2,
             "shared_addresses": 0.5}
FAMILY_LIKE = {"dense_shared_devices": 0.1, "synchronised_orders": 0.05, "new_accounts": 0.2,
               "shared_addresses": 0.5}
WEIGHTS = {"dense_shared_devices": 8.0, "synchronised_orders": 8.0, "new_accounts": 1.5,
           "shared_addresses": 0.5}


def _separable(per_class: int, seed: int = 1) -> list[Label]:
    """Confirmed rings share devices and order in lockstep, dismissed ones do not; the rule
    score says nothing (about 0.5 on both) and addresses are noise."""
    rng = random.Random(seed)
    labels = []
    for n in range(2 * per_class):
        confirmed = n % 2 == 0
        devices = rng.uniform(0.6, 1.0) if confirmed else rng.uniform(0.0, 0.35)
        lockstep = rng.uniform(0.5, 1.0) if confirmed else rng.uniform(0.0, 0.3)
        labels.append(Label(
            features={"dense_shared_devices": devices, "synchronised_orders": lockstep,
                      "new_accounts": rng.random(), "shared_addresses": rng.random()},
            rule_score=rng.uniform(0.4, 0.6), confirmed=confirmed))
    return labels


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def test_training_separates_clearly_labelled_rings_and_beats_uninformative_rules():
    training = model.train(_separable(15))
    assert training.model is not None and training.accepted
    assert (training.labels, training.positives) == (30, 15)
    assert training.metrics["model"]["auc"] > 0.95 > training.metrics["rules"]["auc"]
    assert training.metrics["model"]["log_loss"] < training.metrics["rules"]["log_loss"]
    assert training.metrics["model"]["brier"] < training.metrics["rules"]["brier"]
    ring, _ = training.model.predict(RING_LIKE, 0.5)
    family, _ = training.model.predict(FAMILY_LIKE, 0.5)
    assert ring > 0.9 and family < 0.1
    # the feature names come from the labels' features, the rule score's logit last
    assert training.model.inputs == ("dense_shared_devices", "new_accounts", "shared_addresses",
                                     "synchronised_orders", model.RULE_INPUT)


def test_calibrated_scores_stay_in_0_1_and_match_scikit_learn():
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    labels = _separable(15, seed=2)
    training = model.train(labels)
    assert training.metrics["calibrated"] and training.model is not None
    assert (training.model.slope, training.model.offset) != (1.0, 0.0)
    extremes = [({}, 0.0), ({}, 1.0), (dict.fromkeys(RING_LIKE, 1.0), 1.0),
                (dict.fromkeys(RING_LIKE, 1.0), 0.0), (RING_LIKE, 0.5), (FAMILY_LIKE, 0.5)]
    scores = [training.model.predict(f, r)[0] for f, r in extremes]
    assert all(0.0 <= s <= 1.0 for s in scores)
    # The stored numbers give what scikit-learn's own calibrated classifier gives.
    names = list(training.model.inputs[:-1])
    x = [[lab.features.get(n, 0.0) for n in names] + [_logit(lab.rule_score)] for lab in labels]
    fitted = CalibratedClassifierCV(
        LogisticRegression(C=model.C, max_iter=1000), method="sigmoid", ensemble=False,
        cv=StratifiedKFold(n_splits=model.FOLDS, shuffle=True, random_state=0),
    ).fit(x, [int(lab.confirmed) for lab in labels])
    theirs = fitted.predict_proba(x)[:, 1]
    ours = [training.model.predict(lab.features, lab.rule_score)[0] for lab in labels]
    assert ours == pytest.approx(list(theirs), abs=1e-9)


def test_with_few_labels_the_regression_is_not_calibrated_but_still_a_probability():
    training = model.train(_separable(6, seed=3))
    assert training.model is not None and not training.metrics["calibrated"]
    assert (training.model.slope, training.model.offset) == (1.0, 0.0)
    assert training.metrics["folds"] == 5
    assert 0.0 < training.model.predict(RING_LIKE, 0.5)[0] < 1.0


def test_cold_start_uses_the_rule_score():
    labels = _separable(15)
    confirmed = [lab for lab in labels if lab.confirmed]
    few = [lab for lab in labels if not lab.confirmed] + confirmed[:model.MIN_PER_CLASS - 1]
    training = model.train(few)
    assert training.model is None and not training.accepted
    assert training.positives == model.MIN_PER_CLASS - 1 and "cold start" in training.reason
    score, version, drivers = model.score(None, RING_LIKE, 0.83, WEIGHTS)
    assert (score, version) == (0.83, model.RULES)
    # the rules' drivers: weight times value, largest first
    assert [d["feature"] for d in drivers][:2] == ["dense_shared_devices", "synchronised_orders"]
    assert drivers[0]["contribution"] == pytest.approx(8.0 * 0.95)
    assert model.train([]).model is None


def test_drivers_name_the_features_that_pushed_the_score_and_sum_to_its_logit():
    trained = model.train(_separable(15)).model
    assert trained is not None
    score, drivers = trained.predict(RING_LIKE, 0.5)
    assert drivers[0]["feature"] in ("dense_shared_devices", "synchronised_orders")
    assert drivers[0]["contribution"] > 0
    assert len(drivers) <= model.TOP_DRIVERS
    assert [abs(d["contribution"]) for d in drivers] == sorted(
        (abs(d["contribution"]) for d in drivers), reverse=True)
    _, drivers_down = trained.predict(FAMILY_LIKE, 0.5)
    by_name = {d["feature"]: d for d in drivers_down}
    # the same features, low, pull a family's score down relative to the ring's
    assert (by_name["dense_shared_devices"]["contribution"]
            < {d["feature"]: d for d in drivers}["dense_shared_devices"]["contribution"])
    base, parts = trained.contributions(RING_LIKE, 0.5)
    assert base + sum(p["contribution"] for p in parts) == pytest.approx(_logit(score))


def test_missing_features_count_as_zero_and_unknown_ones_are_ignored():
    toy = RingModel(inputs=("a", "b", model.RULE_INPUT), coefficients=(2.0, -1.0, 0.5),
                    intercept=-1.0, slope=2.0, offset=0.5, version=7)
    score, drivers = toy.predict({"a": 1.0, "unknown": 5.0}, 0.5)
    assert score == pytest.approx(1 / (1 + math.exp(-(2.0 * (-1.0 + 2.0) + 0.5))))
    assert drivers == [{"feature": "a", "value": 1.0, "contribution": 4.0}]
    assert model.score(toy, {"a": 1.0}, 0.5, WEIGHTS)[1] == 7


def test_the_json_form_gives_identical_predictions():
    trained = model.train(_separable(15)).model
    assert trained is not None
    stored = orjson.dumps(trained.with_version(4).to_json())
    loaded = RingModel.from_json(orjson.loads(stored))
    assert loaded == trained.with_version(4) and loaded.version == 4
    for features, rule_score in [(RING_LIKE, 0.5), (FAMILY_LIKE, 0.31), ({}, 0.9999)]:
        assert loaded.predict(features, rule_score) == trained.predict(features, rule_score)


def test_a_model_worse_than_the_rules_is_not_accepted():
    """The rules are already right and sure on these labels; the features are noise: the
    learned model can only be less sure, so it is kept out."""
    rng = random.Random(5)
    labels = [Label(features={"dense_shared_devices": rng.random(), "new_accounts": rng.random()},
                    rule_score=0.9999 if n % 2 == 0 else 0.0001, confirmed=n % 2 == 0)
              for n in range(30)]
    training = model.train(labels)
    assert training.model is not None and not training.accepted
    assert training.metrics["model"]["log_loss"] > training.metrics["rules"]["log_loss"]
    assert "worse than the rules" in training.reason
