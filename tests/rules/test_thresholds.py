"""Payment thresholds: the table matches the law and OpenFisca, and no amount falls below."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pytest

from justedroit.rules.engine import compute_month
from justedroit.rules.thresholds import (
    PAYMENT_THRESHOLDS,
    apply_boundary_thresholds,
    threshold_amount,
)
from tests.rules.sample_households import household, monthly, person

# LEGAL-RULES.md: PPA < 15 € (D846-2 CSS), RSA < 6 € (R262-39 CASF), ASF and ARS < 15 €,
# ALF/ALS < 10 €, APL none since 2018.
EXPECTED = {
    ("ppa", ""): 15,
    ("rsa", ""): 6,
    ("asf", ""): 15,
    ("ars", ""): 15,
    ("aide_logement", "ALF/ALS"): 10,
    ("aide_logement", "APL"): 0,
}


@pytest.mark.parametrize("month", [date(2021, 1, 1), date(2022, 6, 1), date(2023, 6, 1)], ids=str)
def test_table_matches_the_law_and_openfisca_parameters(tbs, month):
    found = {
        (t.benefit, t.scope): threshold_amount(t, month, tbs.parameters) for t in PAYMENT_THRESHOLDS
    }
    assert found == EXPECTED


def test_every_threshold_is_enforced_by_an_openfisca_variable(tbs):
    """Nothing is applied twice: the boundary applies only what OpenFisca does not."""
    for threshold in PAYMENT_THRESHOLDS:
        assert threshold.enforced_by is not None
        assert tbs.get_variable(threshold.enforced_by) is not None
    cents = np.array([0, 500, 1499, 1500])
    assert apply_boundary_thresholds("ppa", cents, date(2022, 6, 1), tbs.parameters).tolist() == [
        0,
        500,
        1499,
        1500,
    ]


def test_a_boundary_threshold_would_apply_the_law(tbs, monkeypatch):
    from justedroit.rules import thresholds

    ppa = next(t for t in PAYMENT_THRESHOLDS if t.benefit == "ppa")
    unenforced = thresholds.PaymentThreshold(**{**ppa.__dict__, "enforced_by": None})
    monkeypatch.setattr(thresholds, "PAYMENT_THRESHOLDS", (unenforced,))
    cents = np.array([0, 500, 1499, 1500])
    kept = apply_boundary_thresholds("ppa", cents, date(2022, 6, 1), tbs.parameters)
    assert kept.tolist() == [0, 0, 0, 1500]


def _salary_sweep(month: date, low: int, high: int, step: int, **fields):
    return [
        household(
            person("claimant", resources=monthly("salary", str(salary), month)),
            id=f"{salary:07d}",
            **fields,
        )
        for salary in range(low, high, step)
    ]


def test_no_ppa_or_rsa_below_its_threshold():
    month = date(2022, 3, 1)
    # PPA fades out around 1,500 € for a single tenant; RSA around the lump sum.
    households = _salary_sweep(month, 300, 1900, 1, housing_status="tenant", rent=Decimal(400))
    results, errors = compute_month(households, month, with_intermediates=False)
    assert errors == []
    ppa = [r.amounts["ppa"] for r in results]
    rsa = [r.amounts["rsa"] for r in results]
    assert not [a for a in ppa if 0 < a < 15]
    assert not [a for a in rsa if 0 < a < 6]
    # The sweep does reach the thresholds: amounts just above them exist.
    assert min(a for a in ppa if a > 0) < 16
    assert min(a for a in rsa if a > 0) < 7


def test_no_alf_als_below_10_euros_before_the_flat_reduction():
    month = date(2022, 3, 1)
    households = _salary_sweep(month, 800, 2600, 2, housing_status="tenant", rent=Decimal(350))
    results, _ = compute_month(households, month)
    # OpenFisca compares the amount before the 5 € flat reduction with 10 € (D823-16 CCH), then
    # takes the CRDS and floors to the euro: with a rent under the degressivity ceiling, no
    # aid between 0 and 10 - 5 - CRDS, floored, i.e. 4 €, is ever paid.
    paid = sorted({r.amounts["aide_logement"] for r in results} - {Decimal(0)})
    assert paid and paid[0] >= 4
    assert all(a == a.to_integral_value() for a in paid)
