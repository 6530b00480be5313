"""A debtor household (an AF debt of 600 € notified on 31/12/2022, the tests' today), the CRA's
five members and its secretariat."""

import datetime as dt
from decimal import Decimal

import pytest

from justedroit.appeals import services
from justedroit.appeals.models import College, Member
from justedroit.core.roles import Role
from justedroit.recovery import services as recovery
from justedroit.recovery.models import Debt
from justedroit.registry.services import fact_record
from tests.factories import HouseholdFactory
from tests.recovery.helpers import indu

TODAY = dt.date(2022, 12, 31)
MAY, JUNE = dt.date(2022, 5, 1), dt.date(2022, 6, 1)


@pytest.fixture
def household(db):
    return HouseholdFactory()


def debt_of(household, amount="600.00", benefit="af", fraud=False) -> Debt:
    adjustment = indu(household, benefit, MAY, amount)
    recovery.debts_notify(
        adjustments=[adjustment],
        acting_user=None,
        fraud=fraud,
        discovered_on=MAY if fraud else None,
    )
    return Debt.objects.get(indus__adjustment=adjustment)


def resources(household, *, fiscal: str, rent: str) -> None:
    """The registry's resources (N-2 fiscal income) and charges (rent) of the household."""
    for kind, amount in (("fiscal_income_n2", fiscal), ("rent", rent)):
        fact_record(
            household=household,
            kind=kind,
            valid_from=dt.date(2022, 1, 1),
            valid_until=None,
            source="declaration",
            acting_user=None,
            amount=Decimal(amount),
        )


@pytest.fixture
def debt(household):
    return debt_of(household)


@pytest.fixture
def secretary(make_user):
    return make_user(Role.CRA_SECRETARY, first_name="Sacha", last_name="Secrétariat")


@pytest.fixture
def members(db):
    colleges = [College.INSURED] * 2 + [College.EMPLOYER] * 2 + [College.OTHER]
    return [Member.objects.create(name=f"Membre {i}", college=c) for i, c in enumerate(colleges)]


def remission(household, debt, secretary, received_on=TODAY):
    return services.case_receive(
        household=household,
        kind="remission",
        channel="paper",
        benefit=debt.benefit,
        debt=debt,
        contested_decision="Notification d'indu",
        notified_on=min(debt.notified_on, received_on),
        received_on=received_on,
        acting_user=secretary,
        grounds="Je ne peux pas rembourser.",
    )


def in_session(case, members, secretary, present=4):
    session = services.session_create(held_on=TODAY, members=members, acting_user=secretary)
    services.agenda_add(session=session, cases=[case], acting_user=secretary)
    services.attendance_record(session=session, present=members[:present], acting_user=secretary)
    return session
