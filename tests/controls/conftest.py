"""A household paid RSA for the first half of 2022 on a declaration of no income, whose partner
data then say otherwise."""

import datetime as dt
from decimal import Decimal

import pytest

from justedroit.core import clock
from justedroit.entitlements.services import month_run
from justedroit.registry import services as registry_services
from justedroit.registry.models import Claim, ClaimStatus, FactSource
from tests.factories import HouseholdFactory
from tests.shared_world import world_transaction

JULY = dt.date(2022, 7, 1)
PAID_MONTHS = [dt.date(2022, m, 1) for m in range(1, 7)]
EXCHANGE_DAY = dt.datetime(2022, 7, 10, 9)
CONTROL_DAY = dt.datetime(2022, 7, 26, 6)


def record(household, kind, *, source="declaration", person=None, valid_from, until=None, **value):
    return registry_services.fact_record(
        household=household,
        person=person,
        kind=kind,
        valid_from=valid_from,
        valid_until=until,
        source=source,
        acting_user=None,
        **value,
    )


def exchange(household, person, amount, *, first=dt.date(2022, 3, 1), until=JULY, at=EXCHANGE_DAY):
    """A partner's monthly salary, recorded as the exchanges importer does."""
    with clock.frozen(at):
        return record(
            household,
            "salary",
            source=FactSource.PARTNER_EXCHANGE,
            person=person,
            valid_from=first,
            until=until,
            amount=Decimal(amount),
        )


@pytest.fixture(autouse=True)
def document_dir(settings, tmp_path):
    """Uploaded files go to the test's own directory, scanned by the no-op scanner."""
    settings.CHANNELS_DOCUMENT_DIR = tmp_path / "documents"
    settings.CHANNELS_CLAMAV_SOCKET = ""
    settings.CHANNELS_VIRUS_SCANNER = "noop"  # tests only; production uses ClamAV
    return settings.CHANNELS_DOCUMENT_DIR


@pytest.fixture(scope="module")
def _paid_household(django_db_setup, django_db_blocker):
    """Built once per module in a transaction around it (as `twin_module`); each test runs in a
    savepoint inside it, so what a test writes is gone for the next one."""
    with world_transaction(django_db_blocker):
        yield _build()


@pytest.fixture
def paid_household(_paid_household, db):
    """A single person on RSA, hosted for free, declaring no income; paid January–June 2022."""
    return _paid_household


def _build():
    return paid_households(1)[0]


def paid_households(count: int) -> list:
    """`count` households as `paid_household` describes, paid together."""
    households = rsa_households(count)
    for month in PAID_MONTHS:
        with clock.frozen(dt.datetime(month.year, month.month, 26, 9)):
            # In this process: a pool's start costs more than computing a few households.
            month_run(
                month=month,
                wet=True,
                executor_kind="inline",
                household_ids=[h.id for h in households],
            )
    return households


def rsa_households(count: int) -> list:
    """`count` single persons on RSA since January 2021 (quarters from January), hosted for
    free, declaring no income; not paid yet."""
    households = []
    with clock.frozen(dt.datetime(2021, 12, 1, 9)):
        for _ in range(count):
            household = HouseholdFactory()
            person = household.memberships.get().person
            record(
                household,
                "activity",
                person=person,
                valid_from=dt.date(2020, 1, 1),
                code="inactive",
            )
            record(household, "housing_status", valid_from=dt.date(2020, 1, 1), code="hosted_free")
            record(household, "housing_commune", valid_from=dt.date(2020, 1, 1), code="86194")
            record(
                household, "fiscal_income_n2", valid_from=dt.date(2020, 1, 1), amount=Decimal("0")
            )
            Claim.objects.create(
                household=household,
                benefit="rsa",
                start_month=dt.date(2021, 1, 1),
                status=ClaimStatus.GRANTED,
                recorded_at=clock.now(),
            )
            household.claimant = person
            households.append(household)
    return households
