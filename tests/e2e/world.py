"""What the scenarios need, made through the real services: people with a password, a household
paid for May and June 2022 (RSA and housing aid for a tenant earning 500 € a month), Poitiers'
Tuesday mornings with the sign-language interpreter, a partner with a mandate."""

import datetime as dt
from decimal import Decimal

from justedroit.core import clock
from justedroit.core.clock import PARIS
from justedroit.core.models import User
from justedroit.core.roles import Role
from justedroit.entitlements.services import month_run
from justedroit.outreach import services as outreach
from justedroit.outreach.models import Partner, PartnerKind
from justedroit.reception import services as reception
from justedroit.reception.models import AccessibilityResource, AppointmentType, Site
from justedroit.registry import services as registry
from justedroit.registry.models import Claim, ClaimStatus, Commune, Household, HouseholdAccount
from tests.factories import HouseholdFactory, UserFactory, claimant

MAY, JUNE = dt.date(2022, 5, 1), dt.date(2022, 6, 1)
TUESDAY = dt.date(2023, 1, 3)
PASSWORD = "mot-de-passe-e2e"  # the next open Tuesday after the frozen Saturday 31/12/2022


def person(role: Role, username: str, **extra) -> User:
    user = UserFactory(role=role, username=username, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def household() -> Household:
    """Léa Martin, tenant in Poitiers, 500 € of salary a month, RSA, housing aid and the prime
    d'activité claimed; her file was opened on 3/1/2022 (so that what an agent records today
    comes after it)."""
    with clock.frozen(dt.datetime(2022, 1, 3, 9)):
        return _household()


def _household() -> Household:
    home = HouseholdFactory(
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
    lea = home.memberships.get().person
    since = dt.date(2020, 1, 1)
    facts = [
        ("activity", lea, {"code": "employed"}),
        ("salary", lea, {"amount": Decimal("500")}),
        ("housing_status", None, {"code": "tenant"}),
        ("rent", None, {"amount": Decimal("450")}),
        ("housing_commune", None, {"code": "86194"}),
        ("fiscal_income_n2", None, {"amount": Decimal("6000")}),
    ]
    for kind, who, value in facts:
        registry.fact_record(
            household=home,
            person=who,
            kind=kind,
            valid_from=since,
            valid_until=None,
            source="declaration",
            acting_user=None,
            **value,
        )
    for benefit in ("rsa", "aide_logement", "ppa"):
        Claim.objects.create(
            household=home,
            benefit=benefit,
            start_month=dt.date(2021, 3, 1),  # RSA/PPA quarters: March, June, September, December
            status=ClaimStatus.GRANTED,
            recorded_at=dt.datetime(2021, 1, 4, 9, tzinfo=PARIS),
        )
    return home


def paid_household() -> Household:
    home = household()
    with clock.frozen(dt.datetime(2022, 7, 5, 9)):  # paid in the summer, known facts then
        for month in (MAY, JUNE):
            month_run(month=month, wet=True, workers=1)
    return home


def claimant_of(home: Household) -> User:
    user = person(Role.CLAIMANT, "lea.martin", first_name="Léa", last_name="Martin")
    HouseholdAccount.objects.create(user=user, household=home)
    return user


def tuesday_mornings() -> None:
    """Poitiers, Tuesdays 9:00–12:00, the LSF interpreter present."""
    poitiers = Site.objects.get(slug="poitiers")
    reception.opening_slot_create(
        agent=person(Role.CASE_WORKER, "conseiller-poitiers"),
        site=poitiers,
        types=list(AppointmentType.objects.filter(code__in=["dossier-sur-place"])),
        weekday=1,
        starts=dt.time(9),
        ends=dt.time(12),
        first_day=dt.date(2022, 1, 4),
        resource=AccessibilityResource.objects.get(site=poitiers, kind="lsf"),
        acting_user=None,
    )


def partner_with_mandate(home: Household) -> tuple[Partner, User]:
    efs = outreach.partner_create(
        kind=PartnerKind.FRANCE_SERVICES,
        name="Espace France Services de Civray",
        commune=Commune.objects.get(insee_code="86078"),
        acting_user=None,
    )
    user = person(Role.PARTNER_EFS, "efs-civray", first_name="Anne", last_name="Roux")
    outreach.partner_member_link(user=user, partner=efs, acting_user=None)
    outreach.mandate_record(
        household=home,
        partner=efs,
        evidence="Mandat papier signé le 30/12/2022, numérisé",
        valid_until=dt.date(2023, 12, 30),
        acting_user=person(Role.RECEPTION, "accueil-civray"),
    )
    return efs, user
