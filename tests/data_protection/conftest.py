import datetime as dt
from decimal import Decimal

import pytest

from justedroit.core import clock
from justedroit.entitlements.models import Entitlement, Payment, Run
from justedroit.registry import services as registry
from justedroit.registry.models import Benefit, Claim, ClaimStatus, FactKind, FactSource
from tests.channels.conftest import PDF, document_dir, quarantine_dir  # noqa: F401 (autouse)
from tests.factories import HouseholdFactory, claimant

OLD = dt.datetime(2019, 3, 15, 10, 0)  # the tests' today is 31/12/2022
RECENT = dt.datetime(2022, 6, 15, 10, 0)


def a_file(number: str, *, at: dt.datetime, serial: int, last_name: str = "Durand"):
    """A household as the Caf held it at `at`: a member arrived then, a salary fact, a closed AF
    claim, its right and its payment, all dated then."""
    with clock.frozen(at):
        month = clock.month_start(clock.today())
        household = HouseholdFactory(
            number=number,
            members=[claimant(last_name=last_name, serial=serial, since=month)],
        )
        person = household.memberships.get().person
        registry.fact_record(
            household=household,
            person=person,
            kind=FactKind.SALARY,
            valid_from=month,
            valid_until=None,
            amount=Decimal("1500"),
            source=FactSource.DECLARATION,
            acting_user=None,
        )
        Claim.objects.create(
            household=household,
            benefit=Benefit.AF,
            start_month=month,
            end_month=clock.add_months(month, 1),
            status=ClaimStatus.CLOSED,
            recorded_at=clock.now(),
        )
        run = Run.objects.create(
            month=month, as_of=clock.now(), wet=True, started_at=clock.now(), status="finished"
        )
        Entitlement.objects.create(
            run=run,
            household=household,
            benefit=Benefit.AF,
            month=month,
            eligible="140.00",
            due="140.00",
        )
        Payment.objects.create(
            run=run,
            household=household,
            benefit=Benefit.AF,
            month=month,
            amount="140.00",
            paid_at=clock.now(),
        )
    return household


@pytest.fixture
def old_file(db):
    return a_file("8600001", at=OLD, serial=1)


@pytest.fixture
def recent_file(db):
    return a_file("8600002", at=RECENT, serial=2, last_name="Martin")


@pytest.fixture
def pdf():
    return PDF
