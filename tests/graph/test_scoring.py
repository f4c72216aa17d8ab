"""A community's score and reason codes (pure)."""

import math

import pytest

from graph.risk.scoring import BIAS, CREDIT_SECONDS, reasons_of, score_of


def test_reasons_are_the_features_at_their_level_and_the_score_is_logistic():
    assert score_of({}) == pytest.approx(1 / (1 + math.exp(BIAS)))
    features = {"dense_shared_devices": 1.0, "synchronised_orders": 0.3, "isolated": 1.0,
                "new_accounts": 0.4}
    assert reasons_of(features) == ["dense_shared_devices", "synchronised_orders"]
    z = 8.0 * 1.0 + 8.0 * 0.3 + 0.5 * 1.0 + 1.5 * 0.4 - 7.5
    assert score_of(features) == pytest.approx(1 / (1 + math.exp(-z)))


def test_refunds_count_as_late_after_the_default_return_window_and_settlement_delay():
    assert CREDIT_SECONDS == (7 + 1) * 86_400
