"""The Caf's referral rule: an automated control refers to a controller a repeated
under-declaration at or above `parameters.OMISSION_EUROS` instead of settling it; a small or
one-off gap is still settled automatically."""

import datetime as dt

import pytest

from justedroit.controls.models import Control, ControlKind, ControlOutcome, EventKind
from justedroit.controls.services import automated_controls_run
from justedroit.core import clock
from justedroit.entitlements.models import Adjustment
from tests.controls.conftest import CONTROL_DAY, JULY, exchange

pytestmark = pytest.mark.django_db

AUGUST = dt.date(2022, 8, 1)
AUGUST_DAY = dt.datetime(2022, 8, 26, 6)


def run(month, at):
    with clock.frozen(at):
        return automated_controls_run(month=month, acting_user=None)


def test_an_omission_repeated_after_an_automated_indu_is_referred(paid_household):
    # 1 500 € a month nobody declared, March–June. July compares March (the reference quarter's
    # last month) and settles it into an indu; August compares April–June: three months more,
    # 4 500 € at stake, after that indu.
    exchange(paid_household, paid_household.claimant, "1500")
    assert run(JULY, CONTROL_DAY)["settled"] == 1
    indus = Adjustment.objects.count()
    counts = run(AUGUST, AUGUST_DAY)
    assert counts["referred"] == 1 and counts["settled"] == 0
    automated = Control.objects.get(kind=ControlKind.AUTOMATED, month=AUGUST)
    documents = Control.objects.get(kind=ControlKind.DOCUMENTS)
    assert automated.outcome == ControlOutcome.REFERRED
    discrepancy = documents.events.get(kind=EventKind.DISCREPANCY)
    assert discrepancy.detail["from_control"] == automated.pk
    assert {d["month"] for d in discrepancy.detail["discrepancies"]} == {
        "2022-04",
        "2022-05",
        "2022-06",
    }
    assert all("réitérée" in d["ambiguous"] for d in discrepancy.detail["discrepancies"])
    # Nothing settled in August: the controller decides.
    assert Adjustment.objects.count() == indus


def test_resources_undeclared_over_several_months_are_referred(paid_household):
    # 1 500 € a month nobody declared since January: July's first control compares January–March
    # (the reference quarter of April–June), three months of one omission, no earlier indu.
    exchange(paid_household, paid_household.claimant, "1500", first=dt.date(2022, 1, 1))
    counts = run(JULY, CONTROL_DAY)
    assert counts["referred"] == 1 and counts["settled"] == 0
    documents = Control.objects.get(kind=ControlKind.DOCUMENTS)
    discrepancies = documents.events.get(kind=EventKind.DISCREPANCY).detail["discrepancies"]
    assert [d["month"] for d in discrepancies] == ["2022-01", "2022-02", "2022-03"]
    assert all("plusieurs mois" in d["ambiguous"] for d in discrepancies)
    assert not Adjustment.objects.exists()


def test_a_small_gap_is_still_settled_automatically(paid_household):
    # 200 € a month: July settles March into an indu, August April–June (600 € at stake, below
    # the threshold) although it follows that indu: the partner's amount is established by the
    # automated control itself (the quarter it changes, July–September, is not paid yet).
    exchange(paid_household, paid_household.claimant, "200")
    assert run(JULY, CONTROL_DAY)["settled"] == 1
    assert run(AUGUST, AUGUST_DAY)["referred"] == 0
    automated = Control.objects.get(kind=ControlKind.AUTOMATED, month=AUGUST)
    assert automated.outcome == ControlOutcome.NO_CHANGE
    assert [(f.valid_from, f.valid_until) for f in automated.facts.all()] == [
        (dt.date(2022, 4, 1), JULY)
    ]
    assert not Control.objects.filter(kind=ControlKind.DOCUMENTS).exists()
