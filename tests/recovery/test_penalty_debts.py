"""An unpaid administrative penalty becomes a debt of its own origin, recovered by the legal means
that apply to a penalty (one test per rule, citing its article: recovery/parameters.py)."""

import dataclasses
import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from justedroit.core import clock
from justedroit.entitlements.models import Payment
from justedroit.entitlements.services import month_run
from justedroit.entitlements.situations import claimed_benefits
from justedroit.recovery import parameters as law
from justedroit.recovery import selectors, services
from justedroit.recovery.models import DebtEntry, DebtLetter, DebtOrigin, EntryKind
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db
MAY, JUNE, JULY = dt.date(2022, 5, 1), dt.date(2022, 6, 1), dt.date(2022, 7, 1)
DECIDED = dt.date(2022, 3, 14)


def _penalty(household, amount="20.00"):
    return services.penalty_debt_notify(
        household=household,
        benefit="rsa",
        amount=D(amount),
        decided_on=DECIDED,
        reason="Pénalité administrative impayée",
        acting_user=None,
    )


def test_an_unpaid_penalty_is_a_debt_of_origin_penalty_never_waived_as_a_small_indu(db):
    """Art. L114-17 I CSS: a penalty is a sanction, not an indu: the small-indu thresholds
    (R262-92 CASF: 77 € for RSA) do not apply; its notification is the director's decision (no
    indu letter); prescription runs from that decision."""
    debt = _penalty(HouseholdFactory())
    assert (debt.origin, debt.fraud, debt.prescription_from) == (DebtOrigin.PENALTY, False, DECIDED)
    assert selectors.balance(debt) == D("20.00")
    assert not debt.entries.filter(kind=EntryKind.WAIVED).exists()
    assert not DebtLetter.objects.exists()
    with pytest.raises(ValidationError, match="positif"):
        _penalty(HouseholdFactory(), "0")


def test_the_balance_reconciles_with_a_penalty_notified_in_the_year(db):
    """No engine indu stands behind a penalty: the ledger's indus, penalties aside, equal the
    engine's (the full twin's 2021 balance failed by exactly its unpaid penalties)."""
    with clock.frozen(dt.datetime(2022, 5, 2, 9)):
        debt = _penalty(HouseholdFactory())
    assert debt.entries.get(kind=EntryKind.NOTIFIED).on.year == 2022
    assert all(ledger == other for ledger, other in selectors.reconciliation(2022).values())


def test_r114_11_l142_4_a_penalty_is_never_remitted_by_the_cra(db):
    """Art. R114-11 and L142-4 CSS: a penalty is contested before the tribunal judiciaire, not
    the CRA; the remission of L553-2 concerns indus only."""
    debt = _penalty(HouseholdFactory())
    with pytest.raises(ValidationError, match="pas un indu"):
        services.debt_movement_record(
            debt=debt, kind=EntryKind.REMITTED, amount=D("5.00"), on=MAY, acting_user=None
        )
    assert law.penalty_recovery(MAY).remission is False


def test_l711_4_consumer_code_a_penalty_is_erased_only_with_the_cafs_consent(db):
    """Art. L711-4 code de la consommation: a debt born of an L114-17 sanction is not erased by
    an over-indebtedness procedure without the creditor's consent."""
    debt = _penalty(HouseholdFactory())
    erase = {"debt": debt, "kind": EntryKind.ERASED, "amount": D("20.00"), "on": MAY}
    with pytest.raises(ValidationError, match="L711-4"):
        services.debt_movement_record(**erase, acting_user=None)
    services.debt_movement_record(**erase, acting_user=None, creditor_consent=True)
    assert selectors.balance(debt) == 0


def test_l114_17_an_unpaid_penalty_is_retained_on_the_benefits_to_come(small_twin, monkeypatch):
    """Art. L114-17 I CSS: the director notifies the penalty with « les modalités selon
    lesquelles elle sera récupérée sur les prestations à venir »: the payment run retains it by
    the scale, without the fraud uplift (a penalty is not a fraud indu, L553-2 al. 3); where the
    parameter forbids it, nothing is retained."""
    # One household's retention is checked: runs over the first twenty claiming, not the file.
    some = sorted(claimed_benefits(MAY))[:20]
    month_run(month=MAY, wet=True, household_ids=some)
    household = Payment.objects.filter(month=MAY).first().household
    debt = _penalty(household, "3000.00")
    assert law.penalty_recovery(JUNE).retained_on_benefits
    forbidden = dataclasses.replace(law.PENALTY_RECOVERY[0], retained_on_benefits=False)
    monkeypatch.setattr(law, "PENALTY_RECOVERY", (forbidden,))
    month_run(month=JUNE, wet=True, household_ids=some, after_store=services.retentions_on_payments)
    assert not DebtEntry.objects.filter(debt=debt, kind=EntryKind.RETAINED).exists()
    monkeypatch.undo()
    month_run(month=JULY, wet=True, household_ids=some, after_store=services.retentions_on_payments)
    (retained,) = DebtEntry.objects.filter(debt=debt, kind=EntryKind.RETAINED)
    assert D(0) < retained.amount <= D("3000.00")
    assert selectors.balance(debt) == D("3000.00") - retained.amount


def test_the_notified_amounts_split_by_origin(db):
    """The ledger tells the indicators each origin's share (recomputation, late declaration,
    each kind of control, fraud, unpaid penalty)."""
    _penalty(HouseholdFactory(), "120.00")
    _penalty(HouseholdFactory(), "80.00")
    today = DebtEntry.objects.first().on
    assert selectors.notified_by_origin(today.year) == {DebtOrigin.PENALTY: D("200.00")}
