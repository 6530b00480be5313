"""Retentions happen in the payment run's own pass: gross, retention and net per payment; the sum
of the debts' retention entries equals what the payments withheld, and the ledger reconciles."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.management import call_command

from justedroit.entitlements.models import Payment
from justedroit.entitlements.services import month_run
from justedroit.entitlements.situations import claimed_benefits
from justedroit.recovery import selectors, services
from justedroit.recovery.models import Debt, DebtEntry, EntryKind, MonthlyRetention, Withholding
from justedroit.recovery.parameters import SCALE_2020
from tests.recovery.helpers import indu

pytestmark = pytest.mark.django_db
MAY, JUNE = dt.date(2022, 5, 1), dt.date(2022, 6, 1)


def test_the_payment_run_retains_by_the_scale_and_records_gross_retention_net(small_twin):
    month_run(month=MAY, wet=True)
    paid = list(
        Payment.objects.filter(month=MAY).values_list("household_id", flat=True).distinct()[:6]
    )
    households = {p.household_id: p.household for p in Payment.objects.filter(month=MAY)}
    for household_id in paid:
        indu(households[household_id], "af", MAY, "5000.00")
    services.debts_notify(acting_user=None)
    # A debt contested before the CRA is not recovered while the appeal is pending.
    contested = Debt.objects.get(household_id=paid[0])
    services.debt_suspend(
        debt=contested, on=MAY, reason="Contestation", reference="CRA n° 1", acting_user=None
    )

    run = month_run(month=JUNE, wet=True, after_store=services.retentions_on_payments)
    retentions = MonthlyRetention.objects.filter(run=run)
    paid_in_june = set(
        Payment.objects.filter(month=JUNE, household_id__in=paid).values_list(
            "household_id", flat=True
        )
    )
    assert set(retentions.values_list("household_id", flat=True)) == paid_in_june - {paid[0]}
    assert not contested.entries.filter(kind=EntryKind.RETAINED).exists()
    for retention in retentions:
        withheld = sum(w.amount for w in retention.withholdings.all())
        retained = sum(e.amount for e in retention.entries.all())
        assert withheld == retained == retention.total
        assert retention.total <= max(retention.base, D(0)) + D("0.01")
        assert retention.base >= SCALE_2020.flat
        gross = sum(
            Payment.objects.filter(month=JUNE, household_id=retention.household_id).values_list(
                "amount", flat=True
            )
        )
        assert retention.total <= gross
    for withholding in Withholding.objects.select_related("payment"):
        assert D(0) < withholding.amount <= withholding.payment.amount
    # Every debt still owes 5000 less what was retained.
    for debt_id, owed in selectors.balances(DebtEntry.objects.values("debt_id")).items():
        retained = sum(
            e.amount for e in DebtEntry.objects.filter(debt_id=debt_id, kind=EntryKind.RETAINED)
        )
        assert owed == D("5000.00") - retained
    assert all(ledger == other for ledger, other in selectors.reconciliation(2022).values())

    # Paying again retains nothing more (the month is paid once).
    again = month_run(month=JUNE, wet=True, after_store=services.retentions_on_payments)
    assert again.reused and MonthlyRetention.objects.count() == retentions.count()


def test_balance_command_reconciles_to_the_cent(small_twin, capsys):
    # One debt's retention is enough to reconcile: runs over the first twenty claiming households.
    some = sorted(claimed_benefits(MAY))[:20]
    month_run(month=MAY, wet=True, household_ids=some)
    payment = Payment.objects.filter(month=MAY).first()
    indu(payment.household, "af", MAY, "300.00")
    services.debts_notify(acting_user=None)
    month_run(month=JUNE, wet=True, household_ids=some, after_store=services.retentions_on_payments)
    call_command("recovery", "balance", "--year", "2022")
    out = capsys.readouterr().out
    assert "Allocations familiales" in out and "rapprochement : exact au centime" in out
