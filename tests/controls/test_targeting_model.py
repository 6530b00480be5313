"""The targeting model and its bias audit, on small cases computed by hand: the logistic fit, the
per-file explanation, the selection, and each fairness metric with its Wilson interval."""

import math
from pathlib import Path

import numpy as np
import pytest

from justedroit.controls import fairness
from justedroit.controls.targeting import (
    FEATURE_NAMES,
    FEATURES,
    NAIVE_FEATURE_NAMES,
    PROTECTED,
    explain,
    fit,
    probabilities,
)

ROOT = Path(__file__).resolve().parents[2]


def test_no_protected_attribute_is_a_variable_of_the_model():
    assert not set(FEATURE_NAMES) & PROTECTED
    # The check bites: the naive comparison, with family status, is caught by it.
    assert set(NAIVE_FEATURE_NAMES) & PROTECTED == {"single_parent", "aah_recipient"}


def test_every_variable_is_reviewed_in_writing_and_published_in_the_model_card():
    card = (ROOT / "docs" / "ciblage.md").read_text(encoding="utf-8")
    for feature in FEATURES:
        assert feature.why and feature.proxy_review, feature.name
        assert f"`{feature.name}`" in card, feature.name


def test_a_binary_variable_gives_the_log_odds_of_each_group():
    # x = 0: 1 indu out of 4; x = 1: 3 out of 4. Maximum likelihood: b0 = logit(1/4) = −ln 3,
    # b1 = logit(3/4) − logit(1/4) = 2 ln 3; variances 1/(n p (1−p)): 4/3, and 4/3 + 4/3.
    x = np.array([[0], [0], [0], [0], [1], [1], [1], [1]])
    y = np.array([1, 0, 0, 0, 1, 1, 1, 0])
    result = fit(x, y, penalty=0)
    assert result.intercept == pytest.approx(-math.log(3), abs=1e-9)
    assert result.coefficients[0] == pytest.approx(2 * math.log(3), abs=1e-9)
    assert result.standard_errors == pytest.approx((math.sqrt(4 / 3), math.sqrt(8 / 3)), abs=1e-6)
    assert probabilities(result.intercept, result.coefficients, [[0], [1]]) == pytest.approx(
        [0.25, 0.75]
    )


def test_the_ridge_penalty_keeps_a_separating_variable_finite_and_shrinks_it():
    x = np.array([[0], [0], [1], [1]])
    y = np.array([0, 0, 1, 1])
    separated = fit(x, y, penalty=1.0)
    assert 0 < separated.coefficients[0] < 10
    x2 = np.array([[0], [0], [0], [0], [1], [1], [1], [1]])
    y2 = np.array([1, 0, 0, 0, 1, 1, 1, 0])
    assert fit(x2, y2, penalty=1.0).coefficients[0] < 2 * math.log(3)


def test_the_explanation_adds_each_variable_s_contribution_in_french():
    coefficients = dict.fromkeys(FEATURE_NAMES, 0.0) | {
        "resource_changes_12m": 0.5,
        "months_since_declaration": -0.1,
    }
    values = dict.fromkeys(FEATURE_NAMES, 0.0) | {
        "resource_changes_12m": 3.0,
        "months_since_declaration": 2.0,
    }
    rows, score = explain(-2.0, coefficients, values)
    assert [(r.feature.name, r.contribution) for r in rows[:2]] == [
        ("resource_changes_12m", 1.5),
        ("months_since_declaration", pytest.approx(-0.2)),
    ]
    assert score == pytest.approx(1 / (1 + math.exp(-(-2.0 + 1.5 - 0.2))))
    assert rows[0].sentence == (
        "Changements de ressources déclarés sur 12 mois : 3 (nombre) × coefficient 0,5 = 1,5 ; "
        "augmente le score."
    )
    assert "diminue le score" in rows[1].sentence


def test_wilson_interval_of_three_out_of_ten():
    low, high = fairness.wilson(3, 10)
    assert (round(low, 4), round(high, 4)) == (0.1078, 0.6032)
    assert fairness.wilson(0, 0) is None
    assert fairness.wilson(0, 5)[0] == 0.0


def test_the_selection_takes_the_best_scores_ties_by_position():
    scores = [0.9, 0.1, 0.8, 0.2, 0.7, 0.3, 0.6, 0.6, 0.5, 0.05]
    assert list(np.flatnonzero(fairness.select_top(scores, 0.3))) == [0, 2, 4]
    assert list(np.flatnonzero(fairness.select_top([0.5, 0.5, 0.5], 0.34))) == [0, 1]


def test_auc_counts_pairs_and_ties_half():
    assert fairness.auc([0.9, 0.5, 0.4, 0.1], [True, False, True, False]) == 0.75
    assert fairness.auc([0.5, 0.5], [True, False]) == 0.5
    assert fairness.auc([0.5], [True]) is None


LOW, HIGH = fairness.AMOUNT_STRATA[0][2], fairness.AMOUNT_STRATA[2][2]


def test_each_metric_on_a_population_of_ten():
    # Group: 0–3. Indus: 0, 1, 4, 5. Selected: 0, 2, 4, 6, 7.
    member = [i < 4 for i in range(10)]
    positive = [i in (0, 1, 4, 5) for i in range(10)]
    selected = [i in (0, 2, 4, 6, 7) for i in range(10)]
    strata = [LOW if i in (0, 1, 4, 5, 6) else HIGH for i in range(10)]
    audit = fairness.group_audit("g", "Groupe", member, selected, positive, strata)
    rate = lambda r: (r.k, r.n)  # noqa: E731
    assert rate(audit.size) == (4, 10)
    assert rate(audit.selection) == (2, 4) and rate(audit.selection_others) == (3, 6)
    assert audit.parity_ratio == 1.0
    assert rate(audit.false_positive_rate) == (1, 2)  # 2 of the negatives 2, 3
    assert rate(audit.false_positive_rate_others) == (2, 4)  # 6, 7 of 6, 7, 8, 9
    assert rate(audit.false_discovery_rate) == (1, 2)  # 2 of the selected 0, 2
    assert rate(audit.false_discovery_rate_others) == (2, 3)  # 6, 7 of 4, 6, 7
    assert rate(audit.false_positive_share) == (1, 3)  # 2 of the false positives 2, 6, 7
    conditional = {name: (rate(g), rate(o)) for name, g, o in audit.conditional}
    assert conditional[LOW] == ((1, 2), (2, 3))
    assert conditional[HIGH] == ((1, 2), (1, 3))
    assert conditional[fairness.AMOUNT_STRATA[1][2]] == ((0, 0), (0, 0))
    assert str(audit.false_positive_share) == "33,3 % [6,1 ; 79,2] (1/3)"


def test_a_group_never_selected_has_a_parity_ratio_of_zero_and_empty_rates_say_so():
    audit = fairness.group_audit("g", "G", [1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0], [LOW] * 4)
    assert audit.parity_ratio == 0.0
    assert audit.false_discovery_rate.value is None
    assert str(audit.false_discovery_rate) == "— (0)"
