"""The twin's controllers close controls on documents through the real services: the household's
documents show its truth, and the engine gives the control's € impact."""

import datetime as dt
from decimal import Decimal

from justedroit.controls.models import ControlKind, ControlOrigin, ControlOutcome, EventKind
from justedroit.controls.services import control_open
from justedroit.core import clock
from justedroit.entitlements.models import Adjustment, AdjustmentKind
from justedroit.registry.models import FactSource
from justedroit.twin.simulate.controls import _monthly, controller, controls_settle_from_truth
from justedroit.twin.truth.models import Behaviour, Change, Origin, TrueKind, TruePeriod
from tests.controls.conftest import PAID_MONTHS

JUNE = dt.date(2022, 6, 1)


def test_the_monthly_volumes_add_up_to_the_yearly_one():
    assert sum(_monthly(14_977, 0.02, dt.date(2022, m, 1)) for m in range(1, 13)) == 300


def test_the_twin_controller_closes_a_documents_control_with_the_engine_impact(paid_household):
    TruePeriod.objects.create(
        household=paid_household,
        person=paid_household.claimant,
        kind=TrueKind.SALARY,
        month_from=dt.date(2022, 2, 1),
        amount=Decimal("1400.00"),
        origin=Origin.CHANGE,
        change=Change.NEW_JOB,
        behaviour=Behaviour.NEVER,  # negligence: an indu, no suspected fraud
    )
    with clock.frozen(dt.datetime(2022, 6, 27, 9), tick=dt.timedelta(microseconds=1)):
        user = controller()
        control = control_open(
            household=paid_household,
            kind=ControlKind.DOCUMENTS,
            origin=ControlOrigin.TARGETING,
            acting_user=user,
            month=JUNE,
        )
        (closed,) = controls_settle_from_truth([control], JUNE, user)
        assert closed.outcome == ControlOutcome.OVERPAYMENT
    control.refresh_from_db()
    # The true salary is established by the control, February–June, as one fact.
    (fact,) = control.facts.all()
    assert (fact.source, fact.kind, fact.amount, fact.valid_from, fact.valid_until) == (
        FactSource.CONTROL,
        "salary",
        Decimal("1400.00"),
        dt.date(2022, 2, 1),
        dt.date(2022, 7, 1),
    )
    adjustments = list(Adjustment.objects.filter(household=paid_household))
    assert adjustments and set(control.adjustments.all()) == set(adjustments)
    assert {a.month for a in adjustments} <= set(PAID_MONTHS)
    assert control.overpayment == sum(
        a.amount for a in adjustments if a.kind == AdjustmentKind.OVERPAYMENT
    )
    assert control.overpayment > 0
    kinds = [e.kind for e in control.events.all()]
    assert EventKind.FINDINGS_NOTIFIED in kinds and EventKind.RESPONSE_RECEIVED in kinds


def test_a_household_whose_documents_match_closes_without_incidence(paid_household):
    with clock.frozen(dt.datetime(2022, 6, 27, 9), tick=dt.timedelta(microseconds=1)):
        user = controller()
        control = control_open(
            household=paid_household,
            kind=ControlKind.ON_SITE,
            origin=ControlOrigin.TARGETING,
            acting_user=user,
            month=JUNE,
        )
        (closed,) = controls_settle_from_truth([control], JUNE, user)
        assert closed.outcome == ControlOutcome.NO_CHANGE
    assert not control.facts.exists() and not control.adjustments.exists()
