"""Partner data are compared with what a quarter of RSA was paid on once that quarter is paid.

In 2021–2022 the RSA and the prime d'activité were paid for a quarter on the resources the
household declared for the three months before it (art. R262-7 CASF, décret 2017-122 ; art.
L843-4 and R843-1 CSS), not on the payroll data (DRM / PASRAU) that reached the Caf meanwhile:
the automated controls compared those data with the paid quarter afterwards, and the recomputed
quarter became an indu. Here: a household on RSA (quarters from January) declares no income; its
payroll lines for January–March 2022 arrive on 10 April, before April's payment."""

import datetime as dt
from decimal import Decimal

import pytest

from justedroit.controls.models import Control, ControlKind, ControlOutcome
from justedroit.controls.services import automated_controls_run
from justedroit.core import clock
from justedroit.entitlements.models import Adjustment, AdjustmentKind, Entitlement, Payment
from justedroit.entitlements.services import month_run
from justedroit.registry.models import Benefit, Fact, FactSource
from tests.controls.conftest import exchange, rsa_households

pytestmark = pytest.mark.django_db

APRIL, MAY, JUNE = dt.date(2022, 4, 1), dt.date(2022, 5, 1), dt.date(2022, 6, 1)


def _cycle(household, month):
    """The month's automated controls the evening of its cut-off, then its payment."""
    with clock.frozen(dt.datetime(month.year, month.month, 25, 19)):
        counts = automated_controls_run(month=month, acting_user=None)
    with clock.frozen(dt.datetime(month.year, month.month, 26, 9)):
        month_run(month=month, wet=True, workers=1, household_ids=[household.id])
    return counts


def _rsa(model, household, month) -> Decimal:
    field = "due" if model is Entitlement else "amount"
    return (
        model.objects.filter(household=household, benefit=Benefit.RSA, month=month)
        .values_list(field, flat=True)
        .get()
    )


def test_payroll_data_received_before_a_payment_make_an_indu_on_the_quarter_paid():
    (household,) = rsa_households(1)
    for month in (dt.date(2022, m, 1) for m in range(1, 4)):
        with clock.frozen(dt.datetime(month.year, month.month, 26, 9)):
            month_run(month=month, wet=True, workers=1, household_ids=[household.id])
    exchange(
        household,
        household.claimant,
        "300",
        first=dt.date(2022, 1, 1),
        until=APRIL,
        at=dt.datetime(2022, 4, 10, 9),
    )
    # April's cycle: January–March are the reference quarter of April–June, not paid yet; the
    # quarter is paid on the declaration.
    _cycle(household, APRIL)
    assert not Fact.objects.filter(source=FactSource.CONTROL).exists()
    paid_april = _rsa(Payment, household, APRIL)
    assert paid_april > 0
    # May's cycle compares them with the quarter paid: indu on April, linked to the control.
    counts = _cycle(household, MAY)
    assert counts["settled"] == 1
    control = Control.objects.get(kind=ControlKind.AUTOMATED, month=MAY)
    assert control.outcome == ControlOutcome.OVERPAYMENT
    (indu,) = control.adjustments.all()
    assert (indu.benefit, indu.month, indu.kind) == (
        Benefit.RSA,
        APRIL,
        AdjustmentKind.OVERPAYMENT,
    )
    assert indu.amount == control.overpayment > 0
    assert not Adjustment.objects.exclude(pk=indu.pk).exists()
    # May (paid on the control's facts) and June keep the quarter's recomputed amount.
    _cycle(household, JUNE)
    due_april = paid_april - indu.amount
    assert _rsa(Payment, household, MAY) == _rsa(Payment, household, JUNE) == due_april
