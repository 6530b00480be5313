"""A controller's month is not stopped by one file the engine cannot recompute (found on the full
twin: November 2021's controls stopped on one person whose activity was unknown): that control
stays open with nothing recorded, the others close; closed alone, it says why in French. An
automated control refers such a file to a person and settles the others."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from justedroit.controls.models import (
    Control,
    ControlKind,
    ControlOrigin,
    ControlOutcome,
    ControlStatus,
    EventKind,
    ResponseChannel,
)
from justedroit.controls.services import (
    Established,
    Settlement,
    automated_controls_run,
    control_open,
    control_response_record,
    controls_close,
    findings_notify,
)
from justedroit.core import clock
from justedroit.entitlements.models import Adjustment
from justedroit.registry.models import Fact, FactSource, Person
from justedroit.twin.simulate.controls import controller
from tests.controls.conftest import CONTROL_DAY, JULY, exchange, paid_households

JUNE = dt.date(2022, 6, 1)
CLOSING_DAY = dt.datetime(2022, 6, 27, 9)


def _notified_controls(households, user) -> list[Control]:
    controls = []
    for household in households:
        control = control_open(
            household=household,
            kind=ControlKind.DOCUMENTS,
            origin=ControlOrigin.TARGETING,
            acting_user=user,
            month=JUNE,
        )
        findings_notify(control=control, findings="Salaire non déclaré.", acting_user=user)
        control_response_record(
            control=control, text="Pièces.", channel=ResponseChannel.PAPER, acting_user=user
        )
        controls.append(control)
    return controls


def _salary_from_march(control: Control) -> Settlement:
    found = Established(
        "salary", dt.date(2022, 3, 1), JUNE, control.household.claimant, Decimal("1400.00")
    )
    return Settlement(control, [found], note="Clôture.")


@pytest.fixture
def two_controls(db):
    households = paid_households(2)
    # The second file lost its claimant's birth date: the engine cannot compute its months.
    Person.objects.filter(pk=households[1].claimant.pk).update(birth_date=None)
    with clock.frozen(CLOSING_DAY, tick=dt.timedelta(microseconds=1)):
        user = controller()
        return user, _notified_controls(households, user)


def test_a_file_the_engine_cannot_recompute_stays_open_and_the_others_close(two_controls):
    user, (computable, broken) = two_controls
    with clock.frozen(CLOSING_DAY, tick=dt.timedelta(microseconds=1)):
        closed = controls_close(
            closings=[_salary_from_march(computable), _salary_from_march(broken)],
            acting_user=user,
        )
    assert [c.pk for c in closed] == [computable.pk]
    computable.refresh_from_db()
    broken.refresh_from_db()
    assert computable.status == ControlStatus.CLOSED and computable.overpayment > 0
    assert broken.status != ControlStatus.CLOSED
    # Nothing recorded for the file left open: no control fact, no rappel or indu.
    assert not Fact.objects.filter(household=broken.household, source=FactSource.CONTROL).exists()
    assert not Adjustment.objects.filter(household=broken.household).exists()


def test_closed_alone_it_is_refused_with_the_engine_s_french_message(two_controls):
    user, (_, broken) = two_controls
    with (
        clock.frozen(CLOSING_DAY, tick=dt.timedelta(microseconds=1)),
        pytest.raises(ValidationError, match=r"date de naissance .* est inconnue"),
    ):
        controls_close(closings=[_salary_from_march(broken)], acting_user=user)
    assert not Fact.objects.filter(household=broken.household, source=FactSource.CONTROL).exists()


def test_an_automated_control_refers_a_file_the_engine_cannot_recompute(db):
    households = paid_households(2)
    for household in households:  # 200 € a month nobody declared: settled automatically
        exchange(household, household.claimant, "200")
    Person.objects.filter(pk=households[1].claimant.pk).update(birth_date=None)
    with clock.frozen(CONTROL_DAY):
        counts = automated_controls_run(month=JULY, acting_user=None)
    assert (counts["settled"], counts["referred"]) == (1, 1)
    settled = Control.objects.get(kind=ControlKind.AUTOMATED, household=households[0])
    assert settled.outcome == ControlOutcome.OVERPAYMENT
    referred = Control.objects.get(kind=ControlKind.AUTOMATED, household=households[1])
    assert referred.outcome == ControlOutcome.REFERRED
    documents = Control.objects.get(kind=ControlKind.DOCUMENTS, household=households[1])
    (discrepancy,) = documents.events.filter(kind=EventKind.DISCREPANCY)
    assert all(
        "recalcul impossible" in d["ambiguous"] and "date de naissance" in d["ambiguous"]
        for d in discrepancy.detail["discrepancies"]
    )
    assert not Adjustment.objects.filter(household=households[1]).exists()
