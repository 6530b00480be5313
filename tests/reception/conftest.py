import datetime as dt

import pytest

from justedroit.core.clock import PARIS
from justedroit.core.roles import Role
from justedroit.reception import services
from justedroit.reception.models import AccessibilityResource, AppointmentType, Site
from tests.factories import HouseholdFactory, claimant

# The frozen clock is Saturday 31/12/2022 10:00; Tuesday 3/1/2023 is the next open Tuesday
# (Monday 2/1 is an ordinary working day; 1/1 is a holiday).
TUESDAY = dt.date(2023, 1, 3)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS)


@pytest.fixture
def household(db):
    return HouseholdFactory(
        number="7654321",
        members=[
            claimant(
                last_name="Martin",
                first_name="Léa",
                sex=2,
                birth_date=dt.date(1990, 5, 1),
                serial=11,
            )
        ],
    )


@pytest.fixture
def poitiers(db):
    return Site.objects.get(slug="poitiers")


@pytest.fixture
def in_person(db):
    return AppointmentType.objects.get(code="dossier-sur-place")


@pytest.fixture
def lsf(poitiers):
    return AccessibilityResource.objects.get(site=poitiers, kind="lsf")


@pytest.fixture
def agent(make_user):
    return make_user(Role.CASE_WORKER, username="agent-poitiers")


@pytest.fixture
def tuesday_morning(agent, poitiers, in_person, lsf):
    """Tuesday 9:00–12:00 at Poitiers, with the LSF interpreter, from 1/1/2022."""
    return services.opening_slot_create(
        agent=agent,
        site=poitiers,
        types=list(AppointmentType.objects.filter(code__in=["dossier-sur-place", "dossier-visio"])),
        weekday=1,
        starts=dt.time(9),
        ends=dt.time(12),
        first_day=dt.date(2022, 1, 4),
        resource=lsf,
        acting_user=None,
    )


@pytest.fixture
def civray_efs(db):
    """The Espace France Services of Civray, as a partner organisation."""
    from justedroit.outreach import services as outreach
    from justedroit.outreach.models import PartnerKind
    from justedroit.registry.models import Commune

    return outreach.partner_create(
        kind=PartnerKind.FRANCE_SERVICES,
        name="Espace France Services de Civray",
        commune=Commune.objects.get(insee_code="86078"),
        acting_user=None,
    )


@pytest.fixture
def partner_user(make_user, civray_efs):
    from justedroit.outreach import services as outreach

    user = make_user(Role.PARTNER_EFS, username="efs-civray")
    outreach.partner_member_link(user=user, partner=civray_efs, acting_user=None)
    return user


@pytest.fixture
def mandate(household, civray_efs, make_user):
    """Household 7654321 gave the EFS of Civray a mandate, recorded by an agent from paper."""
    from justedroit.outreach import services as outreach

    return outreach.mandate_record(
        household=household,
        partner=civray_efs,
        evidence="Mandat papier signé le 30/12/2022, numérisé",
        valid_until=dt.date(2023, 12, 30),
        acting_user=make_user(Role.RECEPTION, username="accueil-civray"),
    )
