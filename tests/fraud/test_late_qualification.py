"""A fraud file qualified after its indus were notified as an ordinary debt (the file opened once
the fraud team's delay was over): the debt becomes a fraud debt from the qualification on — no
remission (L553-2 CSS), the retention uplift (D553-5), five years of prescription from the
discovery (L553-1) — through a `DebtFraudFound` row, the debt itself being written once."""

import datetime as dt
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from justedroit.appeals import services as appeals
from justedroit.appeals.models import Outcome
from justedroit.core import clock
from justedroit.core.models import AuditEvent
from justedroit.cycle.services import STEPS, cycle_month_run
from justedroit.fraud.models import Qualification
from justedroit.recovery import parameters as law
from justedroit.recovery import selectors
from justedroit.recovery.models import Debt, DebtFraudFound, DebtOrigin, EntryKind
from justedroit.recovery.services import _uplift, debt_movement_record, debts_fraud_found
from tests.fraud.test_files import open_from_control, qualify

pytestmark = pytest.mark.django_db
NOVEMBER, DECEMBER = dt.date(2022, 11, 1), dt.date(2022, 12, 1)
OPENED = dt.datetime(2022, 12, 1, 9)
QUALIFIED = dt.datetime(2022, 12, 2, 9)
DEBTS = [next(step for step in STEPS if step.name == "debts")]


def _debts_step(month):
    with clock.frozen(dt.datetime(month.year, month.month, 25, 19, tzinfo=clock.PARIS)):
        (row,) = cycle_month_run(
            month=month, acting_user=None, inbox=Path("/nonexistent"), steps=DEBTS
        )
    return row


@pytest.fixture
def ordinary_debt(fraud_control):
    """November: the three months' wait over with no file, the control's indus are notified as
    an ordinary debt of a documents control."""
    row = _debts_step(NOVEMBER)
    assert (row.counts["waiting_qualification"], row.counts["debts"]) == (0, 1)
    (debt,) = Debt.objects.all()
    assert (debt.origin, debt.is_fraud) == (DebtOrigin.CONTROL_DOCUMENTS, False)
    return debt


def _late_file(control, controller):
    with clock.frozen(OPENED):
        return open_from_control(control, controller)


def test_a_late_fraud_qualification_makes_the_notified_debt_a_fraud_debt(
    fraud_control, ordinary_debt, controller
):
    file = _late_file(fraud_control, controller)
    assert set(file.adjustments.all()) <= {link.adjustment for link in ordinary_debt.indus.all()}
    qualify(file, controller, at=QUALIFIED)
    debt = Debt.objects.get(pk=ordinary_debt.pk)
    assert debt.is_fraud and not debt.fraud  # the debt row itself is unchanged
    assert debt.fraud_found.discovered_on == QUALIFIED.date()
    # L553-1: five years from the discovery, not two from the first indu payment.
    assert selectors.prescription_date(debt, None) == law.add_years(QUALIFIED.date(), 5)
    # D553-5: the uplift applies, and the debt counts as the household's fraud debt.
    frauds = selectors.fraud_households_before([debt.household_id])[debt.household_id]
    assert frauds == [debt.notified_on]
    assert _uplift(debt, frauds) == law.FRAUD_UPLIFT
    assert AuditEvent.objects.filter(reason__startswith=f"dossier de fraude n° {file.pk}").exists()
    # The cycle does not notify the same indus a second time.
    assert _debts_step(DECEMBER).counts["debts"] == 0
    assert Debt.objects.count() == 1


def test_a_debt_found_fraudulent_cannot_be_remitted(fraud_control, ordinary_debt, controller):
    qualify(_late_file(fraud_control, controller), controller, at=QUALIFIED)
    debt = Debt.objects.get(pk=ordinary_debt.pk)
    with clock.frozen(dt.datetime(2022, 12, 5, 9)), pytest.raises(ValidationError, match="L553-2"):
        debt_movement_record(
            debt=debt,
            kind=EntryKind.REMITTED,
            amount=Decimal("10.00"),
            on=dt.date(2022, 12, 5),
            acting_user=controller,
        )
    with pytest.raises(ValidationError, match="L553-2"):
        appeals._remission_amount(SimpleNamespace(debt=debt), Outcome.FULL, None, Decimal("10"))
    assert not debt.entries.filter(kind=EntryKind.REMITTED).exists()


def test_a_fault_qualifies_too_a_good_faith_error_does_not(
    fraud_control, ordinary_debt, controller
):
    file = _late_file(fraud_control, controller)
    qualify(file, controller, Qualification.GOOD_FAITH, at=QUALIFIED)
    assert not Debt.objects.get(pk=ordinary_debt.pk).is_fraud
    assert not DebtFraudFound.objects.exists()


def test_finding_a_debt_fraudulent_is_idempotent_and_once_per_debt(
    fraud_control, ordinary_debt, controller
):
    indus = list(ordinary_debt.indus.values_list("adjustment_id", flat=True))
    for _ in range(2):
        with clock.frozen(QUALIFIED):
            debts_fraud_found(
                adjustment_ids=indus,
                discovered_on=QUALIFIED.date(),
                reason="Dossier de fraude.",
                acting_user=controller,
            )
    assert DebtFraudFound.objects.count() == 1
    # Below the service: the database refuses a second finding for the same debt.
    with pytest.raises(IntegrityError), transaction.atomic():
        DebtFraudFound.objects.bulk_create(
            [
                DebtFraudFound(
                    debt=ordinary_debt,
                    discovered_on=QUALIFIED.date(),
                    reason="Encore.",
                    recorded_at=clock.now(),
                )
            ]
        )
