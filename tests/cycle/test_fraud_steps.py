"""The Caf's cycle runs its own fraud routine: the procedure's deadlines (R114-11 CSS) and the
month's prevention letters within its capacity. Killed in the middle of either step and run
again, it duplicates no deadline action and no letter."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from justedroit.core import clock
from justedroit.cycle.models import CycleStep, StepStatus
from justedroit.cycle.services import STEPS, cycle_month_run
from justedroit.entitlements.models import AdjustmentCause
from justedroit.fraud import letters as fraud_letters
from justedroit.fraud import parameters as fraud_parameters
from justedroit.fraud import services as fraud_services
from justedroit.fraud.models import (
    FraudEventKind,
    FraudOutcome,
    FraudStatus,
    PreventionLetter,
    Qualification,
    SanctionKind,
)
from justedroit.recovery import letters as recovery_letters
from justedroit.recovery import selectors as ledger
from justedroit.recovery.models import Debt, DebtOrigin
from justedroit.registry.models import FactSource
from tests.controls.conftest import exchange, paid_households, record, rsa_households
from tests.fraud import conftest as fraud_fixtures
from tests.fraud.test_files import open_from_control, qualify
from tests.fraud.test_sanctions import at, to_decision
from tests.recovery.helpers import indu

pytestmark = pytest.mark.django_db
# The fraud tests' fixtures: a household paid RSA, a control closed on a suspected fraud.
_paid_household = fraud_fixtures._paid_household
paid_household = fraud_fixtures.paid_household
document_dir = fraud_fixtures.document_dir
controller = fraud_fixtures.controller
director = fraud_fixtures.director
fraud_control = fraud_fixtures.fraud_control
NOWHERE = Path("/nonexistent")
MAY, JULY = dt.date(2022, 5, 1), dt.date(2022, 7, 1)
APRIL, OCTOBER = dt.date(2022, 4, 1), dt.date(2022, 10, 1)
NOVEMBER, DECEMBER = dt.date(2022, 11, 1), dt.date(2022, 12, 1)


class Stopped(Exception):
    """Stands for the process dying inside a step."""


def _step(name):
    return [next(step for step in STEPS if step.name == name)]


def _evening(month):
    """The cycle's evening: an hour before the cut-off (the 25th, 20:00)."""
    return clock.frozen(dt.datetime(month.year, month.month, 25, 19, tzinfo=clock.PARIS))


def _penalised(fraud_control, controller, director):
    """A penalty of 400 € decided on 25/09/2022: to be paid by 25/11/2022."""
    file = open_from_control(fraud_control, controller)
    qualify(file, controller)
    to_decision(file, controller, director)
    with at(2022, 9, 25):
        fraud_services.sanction_decide(
            file=file,
            kind=SanctionKind.PENALTY,
            amount=Decimal(400),
            reasons="Fraude établie.",
            acting_user=director,
        )
    file.refresh_from_db()
    assert (file.status, file.due) == (FraudStatus.PAYMENT, dt.date(2022, 11, 25))
    return file


def test_the_cycle_lets_the_procedure_lapse_when_the_director_stays_silent_r114_11(
    fraud_control, controller, director
):
    """Art. R114-11 CSS: a month after the commission's opinion (20/09), the procedure lapses —
    the cycle of October (cut-off 25/10) applies it, not a person."""
    file = open_from_control(fraud_control, controller)
    qualify(file, controller)
    to_decision(file, controller, director)
    with _evening(dt.date(2022, 10, 1)):
        (row,) = cycle_month_run(
            month=dt.date(2022, 10, 1),
            acting_user=None,
            inbox=NOWHERE,
            steps=_step("fraud_deadlines"),
        )
    assert row.counts["lapsed"] == 1
    file.refresh_from_db()
    assert file.outcome == FraudOutcome.LAPSED


def test_an_unpaid_penalty_becomes_one_debt_even_when_the_cycle_is_killed_mid_step(
    fraud_control, controller, director, monkeypatch
):
    """Art. L114-17 I and R114-11 CSS: payment within two months, else the penalty is recovered
    (here, as a debt of origin « pénalité »). A kill inside the step leaves nothing half done."""
    file = _penalised(fraud_control, controller, director)
    with _evening(NOVEMBER):  # 25/11: the two months are not over
        (row,) = cycle_month_run(
            month=NOVEMBER, acting_user=None, inbox=NOWHERE, steps=_step("fraud_deadlines")
        )
    assert row.counts["penalties_to_recovery"] == 0 and not Debt.objects.exists()

    def killed(*args, **kwargs):
        raise Stopped

    with monkeypatch.context() as patch, _evening(DECEMBER):
        # The process dies after the debt is written, before the file is closed.
        patch.setattr(fraud_services, "_close", killed)
        with pytest.raises(Stopped):
            cycle_month_run(
                month=DECEMBER, acting_user=None, inbox=NOWHERE, steps=_step("fraud_deadlines")
            )
    step = CycleStep.objects.get(month=DECEMBER, step="fraud_deadlines")
    assert step.status == StepStatus.INTERRUPTED and not Debt.objects.exists()
    with _evening(DECEMBER):
        (row,) = cycle_month_run(
            month=DECEMBER, acting_user=None, inbox=NOWHERE, steps=_step("fraud_deadlines")
        )
        cycle_month_run(
            month=DECEMBER, acting_user=None, inbox=NOWHERE, steps=_step("fraud_deadlines")
        )
        again = fraud_services.fraud_deadlines_apply(
            today=DECEMBER.replace(day=25), acting_user=None
        )
    assert (row.attempts, row.counts["penalties_to_recovery"]) == (2, 1)
    assert again["penalties_to_recovery"] == 0
    (debt,) = Debt.objects.all()
    assert (debt.origin, debt.household_id, debt.benefit) == (
        DebtOrigin.PENALTY,
        file.household_id,
        "rsa",
    )
    assert ledger.balance(debt) == Decimal(400)
    assert debt.prescription_from == dt.date(2022, 9, 25)
    file.refresh_from_db()
    assert (file.status, file.outcome) == (FraudStatus.CLOSED, FraudOutcome.PENALTY_DEBT)
    assert file.events.filter(kind=FraudEventKind.RECOVERY).count() == 1


def test_the_cycle_writes_the_months_prevention_letters_once_within_capacity_even_after_a_kill(
    monkeypatch,
):
    """The month's share of the yearly capacity (24 a year: 2 in July), on June (the month the
    partners' files cover); killed in the middle of the batch, then run again: 2 letters, not
    one more, and a rerun of the batch itself writes none."""
    households = paid_households(3)
    for household in households:
        exchange(household, household.claimant, "900")  # a salary the partner knows, undeclared
    written = []
    text = fraud_letters.prevention_text

    def dies_at_the_second(household, rule):
        if written:
            raise Stopped
        written.append(household)
        return text(household, rule)

    with monkeypatch.context() as patch, _evening(JULY):
        patch.setattr(fraud_letters, "prevention_text", dies_at_the_second)
        with pytest.raises(Stopped):
            cycle_month_run(
                month=JULY,
                acting_user=None,
                inbox=NOWHERE,
                steps=_step("prevention_letters"),
                prevention_letters_per_year=24,
            )
    assert written and not PreventionLetter.objects.exists()
    with _evening(JULY):
        (row,) = cycle_month_run(
            month=JULY,
            acting_user=None,
            inbox=NOWHERE,
            steps=_step("prevention_letters"),
            prevention_letters_per_year=24,
        )
        rerun = fraud_services.prevention_letters_send(
            month=dt.date(2022, 6, 1), acting_user=None, at_most=row.counts["capacity"]
        )
    assert (row.counts["capacity"], row.counts["targets"], row.counts["letters"]) == (2, 3, 2)
    assert rerun["letters"] == 0
    assert PreventionLetter.objects.filter(month=dt.date(2022, 6, 1)).count() == 2


def test_each_debt_records_its_true_origin_and_fraud_indus_wait_for_the_qualification(
    fraud_control, controller
):
    """The debts step splits the indus by origin: a fraud file qualified fraud (L553-1 CSS: the
    fraud flag, prescription from the discovery), a control on documents, a late declaration,
    a partner's or an agent's fact; the indus of a suspected fraud wait for the qualification."""
    late, plain = rsa_households(2)
    with clock.frozen(dt.datetime(2022, 7, 20, 9)):
        declared = record(
            late,
            "salary",
            person=late.claimant,
            valid_from=dt.date(2022, 3, 1),
            amount=Decimal("700"),
            source=FactSource.DECLARATION,
        )
        AdjustmentCause.objects.create(adjustment=indu(late, "rsa", MAY, "300.00"), fact=declared)
        indu(plain, "rsa", MAY, "200.00")
    debts = _step("debts")
    with _evening(JULY):
        (row,) = cycle_month_run(month=JULY, acting_user=None, inbox=NOWHERE, steps=debts)
    control_indus = set(fraud_control.adjustments.filter(kind="overpayment"))
    assert row.counts["waiting_qualification"] == len(control_indus) > 0
    assert row.counts["debts_late_declaration"] == row.counts["debts_recompute"] == 1
    assert set(Debt.objects.values_list("household_id", "origin")) == {
        (late.pk, DebtOrigin.LATE_DECLARATION),
        (plain.pk, DebtOrigin.RECOMPUTE),
    }
    file = open_from_control(fraud_control, controller)  # April–May of the control's March–June
    with _evening(dt.date(2022, 8, 1)):
        (row,) = cycle_month_run(
            month=dt.date(2022, 8, 1), acting_user=None, inbox=NOWHERE, steps=debts
        )
    # The file's period waits for its qualification; the control's other months are no fraud.
    assert row.counts["debts_control_documents"] == 1 and row.counts["waiting_qualification"] > 0
    outside = Debt.objects.get(origin=DebtOrigin.CONTROL_DOCUMENTS)
    assert not outside.fraud
    months = {link.adjustment.month for link in outside.indus.all()}
    assert months and not any(file.first_month <= month <= file.last_month for month in months)
    qualify(file, controller, at=dt.datetime(2022, 8, 30, 9))
    with _evening(dt.date(2022, 9, 1)):
        (row,) = cycle_month_run(
            month=dt.date(2022, 9, 1), acting_user=None, inbox=NOWHERE, steps=debts
        )
    assert row.counts["waiting_qualification"] == 0
    fraud = Debt.objects.get(origin=DebtOrigin.FRAUD)
    assert fraud.fraud and fraud.prescription_from == dt.date(2022, 8, 30)
    assert {link.adjustment for link in fraud.indus.all()} == set(file.adjustments.all())
    split = ledger.notified_by_origin(2022)
    assert set(split) == {
        DebtOrigin.LATE_DECLARATION,
        DebtOrigin.RECOMPUTE,
        DebtOrigin.FRAUD,
        DebtOrigin.CONTROL_DOCUMENTS,
    }
    assert split[DebtOrigin.RECOMPUTE] == Decimal("200.00")


def test_a_suspicion_without_a_fraud_file_lets_its_indus_go_after_the_delay_exactly_once(
    fraud_control, controller, monkeypatch
):
    """The control closed on 27/07/2022 on a suspected fraud: its indus wait for a fraud file
    three months (fraud.parameters.file_wait, hypothesis), then are notified as debts of the
    control's kind, once, even when the step is killed and run again. A file opened later still
    qualifies the fraud; the debt already notified is not a fraud debt."""
    assert fraud_parameters.file_wait(OCTOBER).months == 3
    debts = _step("debts")
    with _evening(OCTOBER):  # 25/10: the three months are not over
        (row,) = cycle_month_run(month=OCTOBER, acting_user=None, inbox=NOWHERE, steps=debts)
    control_indus = set(fraud_control.adjustments.filter(kind="overpayment"))
    assert row.counts["waiting_qualification"] == len(control_indus) > 0
    assert not Debt.objects.exists()

    def killed(*args, **kwargs):
        raise Stopped

    with monkeypatch.context() as patch, _evening(NOVEMBER):
        patch.setattr(recovery_letters, "letter_queue", killed)  # dies mid-notification
        with pytest.raises(Stopped):
            cycle_month_run(month=NOVEMBER, acting_user=None, inbox=NOWHERE, steps=debts)
    assert not Debt.objects.exists()
    with _evening(NOVEMBER):
        (row,) = cycle_month_run(month=NOVEMBER, acting_user=None, inbox=NOWHERE, steps=debts)
    assert (row.attempts, row.counts["waiting_qualification"]) == (2, 0)
    assert row.counts["debts_control_documents"] == row.counts["debts"] == 1
    (debt,) = Debt.objects.all()
    assert (debt.origin, debt.fraud) == (DebtOrigin.CONTROL_DOCUMENTS, False)
    assert {link.adjustment for link in debt.indus.all()} == control_indus
    with clock.frozen(dt.datetime(2022, 12, 5, 9)):
        file = fraud_services.fraud_file_open(
            household=fraud_control.household,
            control=fraud_control,
            facts="Salaire de 1 500 € non déclaré, attesté par l'employeur.",
            first_month=APRIL,
            last_month=MAY,
            acting_user=controller,
        )
    qualify(file, controller, at=dt.datetime(2022, 12, 6, 9))
    file.refresh_from_db()
    assert file.qualification == Qualification.FRAUD and file.adjustments.exists()
    with _evening(DECEMBER):
        (row,) = cycle_month_run(month=DECEMBER, acting_user=None, inbox=NOWHERE, steps=debts)
    assert row.counts["debts"] == row.counts["waiting_qualification"] == 0
    assert list(Debt.objects.all()) == [debt]
