"""The quarterly right of the RSA and the prime d'activité: the amount of a quarter is computed on
the resources of the three months before it and fixed for its three months (art. R262-7 CASF,
décret 2017-122 du 1er février 2017 ; art. L843-4 and R843-1 CSS): a change of resources during
the quarter changes nothing before the next quarter; a change of situation is taken at once."""

import datetime as dt
from decimal import Decimal

import pytest

from justedroit.core import clock
from justedroit.entitlements import explain, quarters
from justedroit.entitlements.explain import for_claimant, household_explanation
from justedroit.entitlements.models import Payment
from justedroit.entitlements.quarters import quarter_start
from justedroit.entitlements.services import month_run
from justedroit.registry.models import Benefit
from tests.controls.conftest import record, rsa_households

pytestmark = pytest.mark.django_db

JANUARY, FEBRUARY, APRIL = dt.date(2022, 1, 1), dt.date(2022, 2, 1), dt.date(2022, 4, 1)


def test_the_quarters_run_every_three_months_from_the_claim():
    claimed = dt.date(2021, 2, 1)
    assert quarter_start(dt.date(2021, 2, 1), claimed) == dt.date(2021, 2, 1)
    assert quarter_start(dt.date(2021, 4, 1), claimed) == dt.date(2021, 2, 1)
    assert quarter_start(dt.date(2021, 5, 1), claimed) == dt.date(2021, 5, 1)
    assert quarter_start(dt.date(2022, 1, 1), claimed) == dt.date(2021, 11, 1)


def _rsa_paid(household) -> dict[dt.date, Decimal]:
    return dict(
        Payment.objects.filter(household=household, benefit=Benefit.RSA).values_list(
            "month", "amount"
        )
    )


def _pay(households, months):
    for month in months:
        with clock.frozen(dt.datetime(month.year, month.month, 26, 9)):
            month_run(month=month, wet=True, workers=1, household_ids=[h.id for h in households])


def _salary_from_february(household):
    """The claimant declares in time a job paying 300 € a month from February 2022."""
    with clock.frozen(dt.datetime(2022, 2, 10, 9)):
        record(
            household,
            "salary",
            person=household.claimant,
            valid_from=FEBRUARY,
            amount=Decimal("300"),
        )


def test_the_rsa_of_a_quarter_is_fixed_when_resources_change_during_it():
    """A household whose RSA quarters start in January (claim of January 2021) finds a job in
    February: February and March are paid January's amount; April, the next quarter, reads
    January–March and is lower. Month by month (OpenFisca's rolling quarter), March would read
    the February pay already."""
    (household,) = rsa_households(1)
    _salary_from_february(household)
    _pay([household], [dt.date(2022, m, 1) for m in range(1, 5)])
    paid = _rsa_paid(household)
    assert paid[JANUARY] > 0
    assert paid[dt.date(2022, 2, 1)] == paid[dt.date(2022, 3, 1)] == paid[JANUARY]
    assert paid[APRIL] < paid[JANUARY]


def test_a_change_of_situation_during_the_quarter_is_taken_at_once():
    """A residence abroad established from February (a change of situation, not of resources):
    nothing is due for February though the quarter started in January."""
    (household,) = rsa_households(1)
    with clock.frozen(dt.datetime(2022, 2, 10, 9)):
        record(household, "residence", source="control", valid_from=FEBRUARY, code="abroad")
    _pay([household], [JANUARY, FEBRUARY])
    paid = _rsa_paid(household)
    assert paid[JANUARY] > 0 and FEBRUARY not in paid


def test_the_explanation_gives_the_amount_paid_and_says_it_is_fixed_for_the_quarter():
    """The allocataire reading March's explanation gets the RSA paid for March (January's, the
    quarter's first month), not the month-by-month amount, and the sentence that says why."""
    (household,) = rsa_households(1)
    _salary_from_february(household)
    march = dt.date(2022, 3, 1)
    _pay([household], [JANUARY, FEBRUARY, march])
    explanation = household_explanation(
        household=household, month=march, as_of=dt.datetime(2022, 3, 26, 10, tzinfo=clock.PARIS)
    )
    assert Decimal(explanation["amounts"][Benefit.RSA]["due"]) == _rsa_paid(household)[march]
    assert explanation["quarter_start"] == "2022-01"
    (told,) = [t for t in for_claimant(explanation) if t["benefit"] == Benefit.RSA]
    assert any("fixé pour trois mois depuis janvier 2022" in s for s in told["sentences"])


def test_the_explanation_reads_the_quarter_phases_once(monkeypatch):
    """The explanation page used to read the household's quarterly phase twice (once itself,
    once in the freeze): the query behind it now runs once per explanation."""
    (household,) = rsa_households(1)
    _pay([household], [JANUARY])
    calls, read = [], quarters.quarter_phases

    def counted(month, household_ids):
        calls.append(month)
        return read(month, household_ids)

    monkeypatch.setattr(explain, "quarter_phases", counted)
    monkeypatch.setattr(quarters, "quarter_phases", counted)
    explanation = household_explanation(
        household=household, month=JANUARY, as_of=dt.datetime(2022, 1, 26, 10, tzinfo=clock.PARIS)
    )
    assert explanation["quarter_start"] == "2022-01"
    assert calls == [JANUARY]
