"""The debt ledger: notification of indus, movements that never make a balance negative, the
journal immutable down to raw SQL, and the ledger invariants on random sequences (Hypothesis)."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from justedroit.recovery import selectors, services
from justedroit.recovery.models import Debt, DebtEntry, DebtLetter, EntryKind
from tests.factories import HouseholdFactory
from tests.recovery.helpers import indu

pytestmark = pytest.mark.django_db
MAY, JUNE = dt.date(2022, 5, 1), dt.date(2022, 6, 1)
TODAY = dt.date(2022, 12, 31)


@pytest.fixture
def household(db):
    return HouseholdFactory()


def test_indus_notified_together_make_one_debt_per_benefit_with_a_letter(household):
    indu(household, "af", MAY, "60.00")
    indu(household, "af", JUNE, "40.00")
    indu(household, "aide_logement", JUNE, "150.00")
    counts = services.debts_notify(acting_user=None)
    assert counts == {"debts": 2, "waived": 0, "letters": 1}
    af = Debt.objects.get(benefit="af")
    assert (af.first_month, af.last_month, af.notified_on) == (MAY, JUNE, TODAY)
    assert selectors.balance(af) == D("100.00")
    letter = DebtLetter.objects.get()
    assert set(letter.debts.all()) == set(Debt.objects.all())
    for text in ("250,00 €", "05/2022", "60,00 €", "commission de recours amiable", "2 mois"):
        assert text in letter.html
    assert "Aide au logement" in letter.html and "remise de dette" in letter.html
    # Idempotent: the indus belong to their debts now.
    assert services.debts_notify(acting_user=None) == {"debts": 0, "waived": 0, "letters": 0}


def test_prescription_runs_from_the_first_indu_month_without_payment_row(household):
    indu(household, "af", MAY, "60.00")
    services.debts_notify(acting_user=None)
    debt = Debt.objects.get()
    assert debt.prescription_from == MAY
    assert selectors.prescription_date(debt, None) == dt.date(2024, 5, 1)


def test_d133_2_small_family_indu_is_recorded_then_waived_without_letter(household):
    """D133-2 CSS: an indu of family benefits under 24 € (2022) is not recovered."""
    indu(household, "af", MAY, "23.99")
    assert services.debts_notify(acting_user=None) == {"debts": 1, "waived": 1, "letters": 0}
    debt = Debt.objects.get()
    assert selectors.balance(debt) == 0
    assert debt.entries.get(kind=EntryKind.WAIVED).reason.endswith("(D133-2 CSS)")


def test_r262_92_rsa_indu_under_77_is_not_recovered(household):
    """R262-92 CASF: an RSA indu under 77 € is not recovered."""
    indu(household, "rsa", MAY, "76.00")
    indu(household, "af", MAY, "30.00")
    assert services.debts_notify(acting_user=None) == {"debts": 2, "waived": 1, "letters": 1}
    assert selectors.balance(Debt.objects.get(benefit="af")) == D("30.00")


def _debt(household, amount="100.00", fraud=False):
    adjustment = indu(household, "af", MAY, amount)
    services.debts_notify(
        adjustments=[adjustment],
        acting_user=None,
        fraud=fraud,
        discovered_on=TODAY if fraud else None,
    )
    return Debt.objects.get(indus__adjustment=adjustment)


def test_a_movement_beyond_the_balance_is_refused_in_french(household):
    debt = _debt(household)
    services.debt_movement_record(
        debt=debt, kind=EntryKind.REPAID, amount=D("70.00"), on=TODAY, acting_user=None
    )
    with pytest.raises(ValidationError, match="dépasse le solde de la dette"):
        services.debt_movement_record(
            debt=debt, kind=EntryKind.REMITTED, amount=D("30.01"), on=TODAY, acting_user=None
        )
    assert selectors.balance(debt) == D("30.00")


def test_l553_2_a_fraud_debt_cannot_be_remitted(household):
    """L553-2 CSS: no remission after fraud or false declaration."""
    debt = _debt(household, fraud=True)
    with pytest.raises(ValidationError, match="L553-2"):
        services.debt_movement_record(
            debt=debt, kind=EntryKind.REMITTED, amount=D("10.00"), on=TODAY, acting_user=None
        )


def test_l711_4_fraud_debt_erased_only_with_the_creditors_consent(household):
    """L711-4 code de la consommation: a fraud debt is erased only with the creditor's consent."""
    debt = _debt(household, fraud=True)
    with pytest.raises(ValidationError, match="L711-4"):
        services.debt_movement_record(
            debt=debt, kind=EntryKind.ERASED, amount=D("100.00"), on=TODAY, acting_user=None
        )
    services.debt_movement_record(
        debt=debt,
        kind=EntryKind.ERASED,
        amount=D("100.00"),
        on=TODAY,
        acting_user=None,
        creditor_consent=True,
    )
    assert selectors.balance(debt) == 0


def test_the_journal_refuses_changes_through_the_orm_and_raw_sql(household):
    debt = _debt(household)
    entry = debt.entries.get()
    with pytest.raises(PermissionDenied):
        DebtEntry.objects.filter(pk=entry.pk).update(amount=D("1.00"))
    for sql in (
        "UPDATE recovery_debtentry SET amount = 1 WHERE id = %s",
        "DELETE FROM recovery_debtentry WHERE id = %s",
    ):
        with (
            pytest.raises((IntegrityError, DatabaseError)),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    assert DebtEntry.objects.get(pk=entry.pk).amount == D("100.00")


def test_an_indu_belongs_to_one_debt_at_most_in_the_database(household):
    debt = _debt(household)
    link = debt.indus.get()
    other = Debt.objects.create(
        household=household,
        benefit="af",
        origin="agent",
        reason="doublon",
        first_month=MAY,
        last_month=MAY,
        notified_on=TODAY,
        prescription_from=MAY,
        created_at=debt.created_at,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        type(link).objects.create(debt=other, adjustment=link.adjustment)


MOVES = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=2),  # which debt
        st.sampled_from(services.MANUAL),
        st.integers(min_value=1, max_value=25_000),  # cents
    ),
    max_size=12,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    amounts=st.lists(st.integers(min_value=3_000, max_value=40_000), min_size=3, max_size=3),
    moves=MOVES,
)
def test_ledger_invariant_on_random_sequences(household, amounts, moves):
    """For every debt and in total: notified − Σ movements = balance ≥ 0; a refused movement
    leaves nothing."""
    with transaction.atomic():
        debts = [_debt(household, f"{cents / 100:.2f}") for cents in amounts]
        expected = {d.pk: D(cents) / 100 for d, cents in zip(debts, amounts, strict=True)}
        for index, kind, cents in moves:
            debt, amount = debts[index], D(cents) / 100
            if amount > expected[debt.pk]:
                with pytest.raises(ValidationError, match="solde"):
                    services.debt_movement_record(
                        debt=debt, kind=kind, amount=amount, on=TODAY, acting_user=None
                    )
            else:
                services.debt_movement_record(
                    debt=debt, kind=kind, amount=amount, on=TODAY, acting_user=None
                )
                expected[debt.pk] -= amount
        owed = selectors.balances([d.pk for d in debts])
        assert owed == expected
        assert all(value >= 0 for value in owed.values())
        entries = DebtEntry.objects.filter(debt__in=debts)
        notified = sum(e.amount for e in entries if e.kind == EntryKind.NOTIFIED)
        moved = sum(e.amount for e in entries if e.kind != EntryKind.NOTIFIED)
        assert notified - moved == sum(owed.values())
        transaction.set_rollback(True)
