"""Repayment plans and missed instalments, prescription (L553-1 CSS) by batch, and the
contentious path's order and delays (R133-3 CSS)."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from justedroit.core import clock
from justedroit.recovery import selectors, services
from justedroit.recovery.models import Debt, DebtEntry, EntryKind, Stage
from tests.factories import HouseholdFactory
from tests.recovery.helpers import indu

pytestmark = pytest.mark.django_db
TODAY = dt.date(2022, 12, 31)


@pytest.fixture
def debt(db):
    household = HouseholdFactory()
    indu(household, "af", dt.date(2022, 3, 1), "1200.00")
    services.debts_notify(acting_user=None)
    return Debt.objects.get()


def test_a_plan_beyond_12_months_needs_a_reasoned_decision(debt):
    with pytest.raises(ValidationError, match="décision motivée"):
        services.plan_grant(debt=debt, months=18, first_due=TODAY, acting_user=None)
    plan = services.plan_grant(
        debt=debt, months=18, first_due=TODAY, acting_user=None, decision="Ressources faibles"
    )
    assert plan.instalment == D("66.67") and plan.amount == D("1200.00")
    assert sum(amount for _, amount in selectors.schedule(plan)) == D("1200.00")


def test_missed_instalments_are_detected_and_shown_on_the_worklist(debt):
    plan = services.plan_grant(
        debt=debt, months=4, first_due=dt.date(2022, 10, 1), acting_user=None
    )
    services.debt_movement_record(
        debt=debt, kind=EntryKind.REPAID, amount=D("300.00"), on=TODAY, acting_user=None
    )
    missed = selectors.missed_instalments(plan, selectors.balance(debt), TODAY)
    assert missed == [(dt.date(2022, 11, 1), D("300.00")), (dt.date(2022, 12, 1), D("300.00"))]
    assert [line.debt for line in selectors.worklist(TODAY)["arrears"]] == [debt]


def test_l553_1_prescription_after_two_years_by_the_batch(debt, capsys):
    """L553-1 CSS: recovery is time-barred 2 years after the payment (here the indu's month)."""
    assert selectors.prescription_date(debt, None) == dt.date(2024, 3, 1)
    with clock.frozen(dt.datetime(2024, 3, 2, 9, 0)):
        call_command("recovery", "prescribe")  # dry: nothing written
        assert selectors.balance(debt) == D("1200.00")
        call_command("recovery", "prescribe", "--wet-run")
    assert selectors.balance(debt) == 0
    assert DebtEntry.objects.get(kind=EntryKind.PRESCRIBED).amount == D("1200.00")
    out = capsys.readouterr().out
    assert "Vérification réussie" in out and "1 dette(s) prescrite(s)" in out


def test_an_act_of_recovery_starts_a_new_prescription_period(debt):
    """C. civ. art. 2240: a repayment acknowledges the debt and interrupts prescription."""
    services.debt_movement_record(
        debt=debt, kind=EntryKind.REPAID, amount=D("10.00"), on=TODAY, acting_user=None
    )
    line = selectors.debt_lines([debt])[0]
    assert line.prescription == dt.date(2024, 12, 31)


def test_l553_1_fraud_prescribes_in_five_years_from_discovery():
    """L553-1 CSS: 5 years for fraud or false declaration, from discovery."""
    household = HouseholdFactory()
    adjustment = indu(household, "af", dt.date(2021, 1, 1), "900.00")
    services.debts_notify(
        adjustments=[adjustment], acting_user=None, fraud=True, discovered_on=dt.date(2022, 6, 15)
    )
    debt = Debt.objects.get()
    assert selectors.prescription_date(debt, None) == dt.date(2027, 6, 15)


def test_r133_3_contentious_path_in_order_with_its_delays(debt):
    """R133-3 CSS: formal notice → contrainte after 1 month → opposition within 15 days."""
    notice_day = dt.date(2022, 11, 10)
    with pytest.raises(ValidationError, match="ne suit pas"):
        services.contentious_step_record(
            debt=debt, stage=Stage.CONSTRAINT, on=notice_day, acting_user=None
        )
    services.contentious_step_record(
        debt=debt, stage=Stage.FORMAL_NOTICE, on=notice_day, acting_user=None
    )
    assert debt.letters.filter(kind="formal_notice").exists()
    with pytest.raises(ValidationError, match="Trop tôt"):
        services.contentious_step_record(
            debt=debt, stage=Stage.CONSTRAINT, on=dt.date(2022, 12, 1), acting_user=None
        )
    assert [line.debt for line in selectors.worklist(TODAY)["contentious"]] == [debt]
    services.contentious_step_record(
        debt=debt, stage=Stage.CONSTRAINT, on=dt.date(2022, 12, 10), acting_user=None
    )
    with pytest.raises(ValidationError, match="Opposition tardive"):
        services.contentious_step_record(
            debt=debt, stage=Stage.OPPOSITION, on=dt.date(2022, 12, 26), acting_user=None
        )
    services.contentious_step_record(
        debt=debt, stage=Stage.OPPOSITION, on=dt.date(2022, 12, 20), acting_user=None
    )
    assert selectors.next_stage(selectors.debt_lines([debt])[0]) is None
