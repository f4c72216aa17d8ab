"""Ring scores learned from analysts' decisions (pure: no database).

A decided ring is a label: confirmed 1, dismissed 0, with the features and the rule score it
was stored with. `train` fits a scikit-learn LogisticRegression on those features plus the
rule score's logit (one more input, so that with few labels the model can stay with the
rules), calibrated with Platt scaling when the labels allow, and compares it with the rule
score on the same labels by cross-validation: it is accepted only if it is not worse. A
model is plain numbers (`RingModel.to_json`), so any process scores with it in pure Python;
only `train` loads scikit-learn. docs/detection.md, "Learning from analysts".
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

RULES = "rules"  # the model version of a score that the rules gave (no learned model)
MIN_PER_CLASS = 5  # fewer confirmed or fewer dismissed rings than this: no model
CALIBRATE_PER_CLASS = 10  # cross-validated Platt scaling from this many of each class
FOLDS = 5
C = 1.0  # the LogisticRegression's inverse L2 strength
RULE_INPUT = "rule_score_logit"  # the input that carries the rule score, as a logit
# Rule scores are stored to 4 decimals, so 0 and 1 occur: clipped to this before a logit
# (and every prediction to the same range when losses are compared).
SCORE_CLIP = 1e-4
TOP_DRIVERS = 5
Driver = dict[str, Any]  # {"feature", "value", "contribution"}


@dataclass(frozen=True)
class Label:
    """A decided ring: its stored features and rule score, and whether it was confirmed."""

    features: Mapping[str, float]
    rule_score: float
    confirmed: bool


@dataclass(frozen=True)
class RingModel:
    """A calibrated linear model: logit = slope * (intercept + sum(coef * input)) + offset.

    `inputs` are the feature names (read from the labels' features) and RULE_INPUT last;
    slope and offset are the Platt calibration (1 and 0 when uncalibrated)."""

    inputs: tuple[str, ...]
    coefficients: tuple[float, ...]
    intercept: float
    slope: float = 1.0
    offset: float = 0.0
    version: int | None = None  # given when stored

    def contributions(self, features: Mapping[str, float],
                      rule_score: float) -> tuple[float, list[Driver]]:
        """The calibrated logit's base and each input's part of it (they sum to the logit).
        A feature the ring lacks counts as 0; one the model does not know is ignored."""
        values = [_rule_logit(rule_score) if name == RULE_INPUT else float(features.get(name, 0.0))
                  for name in self.inputs]
        base = self.slope * self.intercept + self.offset
        parts = [{"feature": name, "value": value, "contribution": self.slope * coef * value}
                 for name, coef, value in zip(self.inputs, self.coefficients, values, strict=True)]
        return base, parts

    def predict(self, features: Mapping[str, float],
                rule_score: float) -> tuple[float, list[Driver]]:
        """The score (0..1) and the inputs that drove it, largest part of the logit first."""
        base, parts = self.contributions(features, rule_score)
        score = _sigmoid(base + sum(p["contribution"] for p in parts))
        return score, top_drivers(parts)

    def to_json(self) -> dict[str, Any]:
        """Plain numbers and names, to store as JSON and load in any process."""
        return {"kind": "logistic_regression", "inputs": list(self.inputs),
                "coefficients": list(self.coefficients), "intercept": self.intercept,
                "calibration": {"slope": self.slope, "offset": self.offset},
                "version": self.version}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "RingModel":
        """The model `to_json` wrote."""
        calibration = data["calibration"]
        return cls(inputs=tuple(data["inputs"]),
                   coefficients=tuple(float(c) for c in data["coefficients"]),
                   intercept=float(data["intercept"]), slope=float(calibration["slope"]),
                   offset=float(calibration["offset"]), version=data.get("version"))

    def with_version(self, version: int) -> "RingModel":
        return replace(self, version=version)


@dataclass(frozen=True)
class Training:
    """What `train` made: the model (None at cold start), the labels' counts, the
    cross-validated figures of the model and of the rules, and whether it is accepted."""

    model: RingModel | None
    labels: int
    positives: int
    metrics: dict[str, Any] = field(default_factory=dict)
    accepted: bool = False
    reason: str = ""


def top_drivers(parts: Sequence[Driver], top: int = TOP_DRIVERS) -> list[Driver]:
    """The `top` parts of a logit largest first (by absolute size), rounded to 4 decimals;
    parts of exactly 0 are left out."""
    ranked = sorted((p for p in parts if p["contribution"] != 0.0),
                    key=lambda p: (-abs(p["contribution"]), p["feature"]))
    return [{"feature": p["feature"], "value": round(p["value"], 4),
             "contribution": round(p["contribution"], 4)} for p in ranked[:top]]


def rule_drivers(features: Mapping[str, float], weights: Mapping[str, float]) -> list[Driver]:
    """The drivers of a rule score: each feature's weight times its value (the rules' logit
    is their sum less the bias)."""
    return top_drivers([{"feature": name, "value": float(features.get(name, 0.0)),
                         "contribution": weight * float(features.get(name, 0.0))}
                        for name, weight in weights.items()])


def score(model: RingModel | None, features: Mapping[str, float], rule_score: float,
          weights: Mapping[str, float]) -> tuple[float, int | str, list[Driver]]:
    """A ring's score, the version that gave it and its drivers: the model's when there is
    one, else the rule score (version RULES) explained by the rule weights."""
    if model is None:
        return rule_score, RULES, rule_drivers(features, weights)
    value, drivers = model.predict(features, rule_score)
    return value, model.version if model.version is not None else RULES, drivers


def train(labels: Sequence[Label]) -> Training:
    """Fit, calibrate and evaluate a model on labelled rings; cold start (no model) with
    fewer than MIN_PER_CLASS of either class. The model is accepted when its
    cross-validated log loss and Brier score are both no worse than the rule score's."""
    positives = sum(1 for label in labels if label.confirmed)
    negatives = len(labels) - positives
    if min(positives, negatives) < MIN_PER_CLASS:
        return Training(None, len(labels), positives, reason=(
            f"cold start: {positives} confirmed and {negatives} dismissed rings; at least "
            f"{MIN_PER_CLASS} of each are needed, the rules score rings"))
    from sklearn.model_selection import StratifiedKFold

    names = sorted({name for label in labels for name in label.features})
    x = [_inputs(label, names) for label in labels]
    y = [1 if label.confirmed else 0 for label in labels]
    model = _fit(x, y, (*names, RULE_INPUT))
    folds = StratifiedKFold(n_splits=min(FOLDS, positives, negatives), shuffle=True,
                            random_state=0)
    predicted = [0.0] * len(labels)
    for fit_rows, test_rows in folds.split(x, y):
        fold = _fit([x[i] for i in fit_rows], [y[i] for i in fit_rows], model.inputs)
        for i in test_rows:
            predicted[i] = fold.predict(labels[i].features, labels[i].rule_score)[0]
    learned = _figures(y, predicted)
    rules = _figures(y, [label.rule_score for label in labels])
    accepted = learned["log_loss"] <= rules["log_loss"] and learned["brier"] <= rules["brier"]
    metrics = {"folds": folds.get_n_splits(),
               "calibrated": min(positives, negatives) >= CALIBRATE_PER_CLASS,
               "model": _rounded(learned), "rules": _rounded(rules)}
    reason = ("not worse than the rules on the labels (cross-validated log loss and Brier)"
              if accepted else "worse than the rules on the labels (cross-validated log loss "
              "or Brier): kept as a rejected candidate")
    return Training(model, len(labels), positives, metrics, accepted, reason)


def _fit(x: list[list[float]], y: list[int], inputs: tuple[str, ...]) -> RingModel:
    """A LogisticRegression on the inputs as they are (features in 0..1, the rule logit),
    with Platt scaling on cross-validated predictions when each class has
    CALIBRATE_PER_CLASS labels, else its own probabilities."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    regression = LogisticRegression(C=C, max_iter=1000)
    if min(sum(y), len(y) - sum(y)) >= CALIBRATE_PER_CLASS:
        calibrated = CalibratedClassifierCV(
            regression, method="sigmoid", ensemble=False,
            cv=StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=0)).fit(x, y)
        # ensemble=False: one regression fitted on all labels and one sigmoid fitted on the
        # cross-validated decision values, p = 1 / (1 + exp(a * z + b)).
        [pair] = calibrated.calibrated_classifiers_
        fitted, [sigmoid] = pair.estimator, pair.calibrators
        slope, offset = -float(sigmoid.a_), -float(sigmoid.b_)
    else:
        fitted, slope, offset = regression.fit(x, y), 1.0, 0.0
    return RingModel(inputs=inputs, coefficients=tuple(float(c) for c in fitted.coef_[0]),
                     intercept=float(fitted.intercept_[0]), slope=slope, offset=offset)


def _figures(y: list[int], predicted: list[float]) -> dict[str, float]:
    """Log loss, Brier score and ROC AUC of predictions (clipped to SCORE_CLIP)."""
    from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

    clipped = [min(max(p, SCORE_CLIP), 1.0 - SCORE_CLIP) for p in predicted]
    return {"log_loss": float(log_loss(y, clipped, labels=[0, 1])),
            "brier": float(brier_score_loss(y, clipped)),
            "auc": float(roc_auc_score(y, clipped))}


def _rounded(figures: dict[str, float]) -> dict[str, float]:
    return {name: round(value, 6) for name, value in figures.items()}


def _inputs(label: Label, names: Sequence[str]) -> list[float]:
    return [*(float(label.features.get(name, 0.0)) for name in names),
            _rule_logit(label.rule_score)]


def _rule_logit(rule_score: float) -> float:
    p = min(max(float(rule_score), SCORE_CLIP), 1.0 - SCORE_CLIP)
    return math.log(p / (1.0 - p))


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)
