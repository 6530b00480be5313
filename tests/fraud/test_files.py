"""The fraud file: opened from a control or a report, its indus for the fraudulent period only,
the intent checklist, the qualification by a named person, the right to make a mistake."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from justedroit.controls.services import Established
from justedroit.core import clock
from justedroit.core.models import AuditEvent
from justedroit.core.roles import Role
from justedroit.entitlements.models import Adjustment, AdjustmentKind
from justedroit.fraud import selectors, services
from justedroit.fraud.models import (
    FraudFile,
    FraudOutcome,
    FraudStatus,
    IntentElement,
    Qualification,
)
from tests.fraud.conftest import APRIL, JUNE, MARCH, MAY

pytestmark = pytest.mark.django_db
DAY = dt.datetime(2022, 8, 1, 9)


def open_from_control(control, controller, first=APRIL, last=MAY):
    with clock.frozen(DAY):
        return services.fraud_file_open(
            household=control.household,
            control=control,
            facts="Salaire de 1 500 € non déclaré, attesté par l'employeur.",
            first_month=first,
            last_month=last,
            acting_user=controller,
        )


def qualify(file, user, qualification=Qualification.FRAUD, at=DAY, **extra):
    with clock.frozen(at):
        if qualification == Qualification.FRAUD and not file.intent.exists():
            services.intent_record(
                file=file,
                element=IntentElement.FALSE_DECLARATION,
                established=True,
                evidence="Déclaration trimestrielle signée « aucune ressource » en avril.",
                acting_user=user if user.role == Role.CONTROLLER else file.opened_by,
            )
        return services.fraud_qualify(
            file=file, qualification=qualification, reasons="Motifs.", acting_user=user, **extra
        )


def test_a_suspected_fraud_waits_in_a_worklist_and_its_file_links_only_the_period_indus(
    fraud_control, controller
):
    assert list(selectors.controls_awaiting_file()) == [fraud_control]
    control_indus = set(
        fraud_control.adjustments.filter(kind=AdjustmentKind.OVERPAYMENT).values_list(
            "month", flat=True
        )
    )
    assert {APRIL, MAY, JUNE} <= control_indus  # RSA: resources of the previous quarter
    file = open_from_control(fraud_control, controller)
    assert selectors.controls_awaiting_file().count() == 0
    linked = list(file.adjustments.all())
    assert {a.month for a in linked} == {APRIL, MAY}
    assert all(a.kind == AdjustmentKind.OVERPAYMENT for a in linked)
    assert file.prejudice == sum(a.amount for a in linked) > 0
    assert AuditEvent.objects.filter(
        household_number=file.household.number, reason="fraude : ouverture"
    ).exists()
    with pytest.raises(ValidationError, match="déjà ouvert"):
        open_from_control(fraud_control, controller)


def test_a_report_establishes_facts_and_the_engine_recomputes_the_period_only(
    paid_household, controller
):
    with clock.frozen(DAY):
        file = services.fraud_file_open(
            household=paid_household,
            report="Signalement d'un bailleur : le conjoint travaille depuis mars.",
            facts="Salaire du conjoint non déclaré.",
            first_month=APRIL,
            last_month=MAY,
            established=[
                Established(
                    kind="salary",
                    first_month=MARCH,
                    until=dt.date(2022, 7, 1),
                    person=paid_household.claimant,
                    amount=Decimal("1500"),
                )
            ],
            acting_user=controller,
        )
    assert {a.month for a in Adjustment.objects.all()} == {APRIL, MAY}
    assert set(file.adjustments.all()) == set(Adjustment.objects.all())
    assert file.prejudice > 0
    with pytest.raises(ValidationError, match="signalement"):
        services.fraud_file_open(
            household=paid_household,
            facts="x",
            first_month=APRIL,
            last_month=MAY,
            acting_user=controller,
        )


def test_fraud_needs_an_element_of_intent_and_a_named_person(fraud_control, controller):
    file = open_from_control(fraud_control, controller)
    with clock.frozen(DAY), pytest.raises(ValidationError, match="intention de frauder"):
        services.fraud_qualify(
            file=file, qualification=Qualification.FRAUD, reasons="x", acting_user=controller
        )
    with clock.frozen(DAY), pytest.raises(ValidationError, match="personne nommée"):
        services.fraud_qualify(
            file=file, qualification=Qualification.FAULT, reasons="x", acting_user=None
        )
    # Below the service: the database refuses a qualification without its author.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE fraud_fraudfile SET qualification = 'fraud', status = 'qualified' "
            "WHERE id = %s",
            [file.pk],
        )
    qualify(file, controller)
    file.refresh_from_db()
    assert file.qualification == Qualification.FRAUD and file.qualified_by == controller
    assert file.status == FraudStatus.QUALIFIED
    assert file.qualifications.get().decided_by == controller


def test_right_to_make_a_mistake_L123_1_CRPA_first_good_faith_error_regularised(
    fraud_control, controller
):
    """Art. L123-1 CRPA: a first error in good faith, regularised, is not sanctioned; the indu
    stays due."""
    file = open_from_control(fraud_control, controller)
    qualify(file, controller, Qualification.GOOD_FAITH, regularised=True)
    file.refresh_from_db()
    assert file.status == FraudStatus.CLOSED and file.outcome == FraudOutcome.RIGHT_TO_ERROR
    assert file.prejudice > 0 and file.adjustments.exists()  # the indu stays due
    assert file.qualifications.get().first_error


def test_right_to_make_a_mistake_L123_1_CRPA_is_for_a_first_error_only(
    fraud_control, paid_household, controller
):
    """Art. L123-1 CRPA: the household's history says whether the error is a first one."""
    earlier = open_from_control(fraud_control, controller, first=MARCH, last=MARCH)
    qualify(earlier, controller, Qualification.GOOD_FAITH, regularised=True)
    with clock.frozen(DAY + dt.timedelta(days=1)):
        later = services.fraud_file_open(
            household=paid_household,
            report="Nouveau signalement.",
            facts="Même omission.",
            first_month=APRIL,
            last_month=MAY,
            acting_user=controller,
        )
    qualify(
        later, controller, Qualification.GOOD_FAITH, at=DAY + dt.timedelta(days=1), regularised=True
    )
    later.refresh_from_db()
    assert later.status == FraudStatus.QUALIFIED  # not a first error: a sanction is possible
    assert not later.qualifications.get().first_error


def test_the_fraud_flag_for_recovery_lists_fraud_periods_and_their_indus(fraud_control, controller):
    file = open_from_control(fraud_control, controller)
    assert selectors.fraud_households_and_periods() == []
    qualify(file, controller)
    (period,) = selectors.fraud_households_and_periods()
    assert (period.household_id, period.first_month, period.last_month) == (
        file.household_id,
        APRIL,
        MAY,
    )
    assert set(period.adjustment_ids) == set(file.adjustments.values_list("pk", flat=True))
    assert selectors.fraud_households_and_periods(household_ids=[0]) == []


def test_every_read_is_recorded_and_history_is_immutable(fraud_control, controller):
    file = open_from_control(fraud_control, controller)
    event = file.events.get()
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 (trigger or model)
        type(event).objects.filter(pk=event.pk).update(note="réécrit")
    assert FraudFile.objects.get(pk=file.pk).events.get().note == event.note
