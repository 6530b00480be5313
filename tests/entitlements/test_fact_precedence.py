"""Which fact the computation uses when a declaration and a partner's fact both speak of a month
(docs/echanges.md): the declaration (or an agent's entry, or a control) wins; the partner's fact
fills the months nothing else covers; the DGFiP's income and the MDPH's rate win."""

import datetime as dt
from decimal import Decimal

import pytest

from justedroit.core import clock
from justedroit.entitlements.situations import situations
from justedroit.registry import services
from justedroit.registry.models import FactSource, Person
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db
JUNE = dt.date(2022, 6, 1)
MAY, APRIL = dt.date(2022, 5, 1), dt.date(2022, 4, 1)
NOW = dt.datetime(2022, 12, 31, 10, 0, tzinfo=clock.PARIS)


@pytest.fixture
def household(db):
    return HouseholdFactory(number="1234567")


def record(household, kind, source, valid_from, valid_until, *, at_minute, person=True, **value):
    with clock.frozen(dt.datetime(2022, 12, 1, 9, at_minute)):
        return services.fact_record(
            household=household,
            person=Person.objects.get() if person else None,
            kind=kind,
            valid_from=valid_from,
            valid_until=valid_until,
            source=source,
            acting_user=None,
            **value,
        )


def seen(household):
    (situation,), _ = situations(month=JUNE, as_of=NOW, household_ids=[household.id])
    return situation


def salary(situation, month):
    return situation.persons[0].resources.get(("salary", month))


def test_a_declaration_is_not_overridden_by_a_later_exchange_fact(household):
    record(household, "salary", FactSource.DECLARATION, MAY, JUNE, at_minute=1, amount=Decimal(900))
    record(
        household,
        "salary",
        FactSource.PARTNER_EXCHANGE,
        MAY,
        JUNE,
        at_minute=2,
        amount=Decimal(1400),
    )
    assert salary(seen(household), MAY) == Decimal(900)
    # Both are kept: the partner's figure is still in the registry for the controls.
    assert household.facts.filter(source=FactSource.PARTNER_EXCHANGE).count() == 1
    # A later declaration still replaces an earlier one.
    record(household, "salary", FactSource.DECLARATION, MAY, JUNE, at_minute=3, amount=Decimal(950))
    assert salary(seen(household), MAY) == Decimal(950)


def test_an_exchange_fact_fills_a_month_no_declaration_covers(household):
    record(
        household, "salary", FactSource.DECLARATION, APRIL, MAY, at_minute=1, amount=Decimal(900)
    )
    record(
        household,
        "salary",
        FactSource.PARTNER_EXCHANGE,
        APRIL,
        JUNE,
        at_minute=2,
        amount=Decimal(1400),
    )
    situation = seen(household)
    assert (salary(situation, APRIL), salary(situation, MAY)) == (Decimal(900), Decimal(1400))
    # Same for a fact of the month itself (activity): the partner's only where nothing else is.
    record(
        household,
        "activity",
        FactSource.PARTNER_EXCHANGE,
        JUNE,
        None,
        at_minute=3,
        code="unemployed",
    )
    assert seen(household).persons[0].activity == "unemployed"
    record(household, "activity", FactSource.DECLARATION, MAY, None, at_minute=0, code="employed")
    assert seen(household).persons[0].activity == "employed"


def test_the_dgfip_fiscal_income_wins_over_a_declared_one(household):
    year = (dt.date(2022, 1, 1), dt.date(2023, 1, 1))
    record(
        household,
        "fiscal_income_n2",
        FactSource.PARTNER_EXCHANGE,
        *year,
        at_minute=1,
        person=False,
        amount=Decimal(18000),
    )
    record(
        household,
        "fiscal_income_n2",
        FactSource.DECLARATION,
        *year,
        at_minute=2,
        person=False,
        amount=Decimal(12000),
    )
    assert seen(household).fiscal_income_n2 == Decimal(18000)
    # Where the DGFiP says nothing, the declaration is used.
    record(
        household,
        "disability_rate",
        FactSource.DECLARATION,
        JUNE,
        None,
        at_minute=3,
        amount=Decimal(50),
    )
    assert seen(household).persons[0].disability_rate == 50
    record(
        household,
        "disability_rate",
        FactSource.PARTNER_EXCHANGE,
        JUNE,
        None,
        at_minute=0,
        amount=Decimal(80),
    )
    assert seen(household).persons[0].disability_rate == 80
