"""The partner portal: nothing visible without the allocataire's mandate; a first-level view with
it; a referral to the Caf routed to the agents' worklist and followed to an outcome; the 33
partners of the département seeded from the reference table."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from justedroit.core.models import AuditEvent
from justedroit.core.roles import Role
from justedroit.outreach import selectors, services
from justedroit.outreach.models import Partner, PartnerKind, Referral, ReferralStatus
from justedroit.outreach.services import partners
from justedroit.registry.models import Claim, ClaimStatus, Commune, HouseholdAccount
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db
PAGE = "portal:outreach_partner_household"


@pytest.fixture
def relay(db):
    return services.partner_create(
        kind=PartnerKind.RELAY,
        name="Point relais Caf de Naintré (test)",
        commune=Commune.objects.get(insee_code="86174"),
        acting_user=None,
    )


@pytest.fixture
def staff(make_user, relay):
    user = make_user(Role.PARTNER_RELAY, username="relais")
    services.partner_member_link(user=user, partner=relay, acting_user=None)
    return user


@pytest.fixture
def household(db):
    household = HouseholdFactory(number="7200001")
    Claim.objects.create(
        household=household,
        benefit="ppa",
        start_month=dt.date(2022, 12, 1),
        status=ClaimStatus.PENDING,
        recorded_at=dt.datetime(2022, 12, 20, tzinfo=dt.UTC),
    )
    return household


def mandate(household, relay, make_user):
    user = make_user(Role.CLAIMANT, username="alloc")
    HouseholdAccount.objects.create(user=user, household=household)
    return services.mandate_grant(household=household, partner=relay, days=90, acting_user=user)


def test_without_a_mandate_the_partner_sees_nothing_and_cannot_refer(client, staff, household):
    client.force_login(staff)
    page = client.get(reverse(PAGE), {"numero": "7200001"})
    unknown = client.get(reverse(PAGE), {"numero": "7299999"})
    assert page.status_code == unknown.status_code == 404
    assert "Prime d" not in page.content.decode()
    assert page.content.decode().count("sans mandat en cours") == 1
    referred = client.post(reverse(PAGE), {"numero": "7200001", "motif": "Aide au dossier"})
    assert referred.status_code == 400 and not Referral.objects.exists()
    assert not AuditEvent.objects.filter(household_number="7200001", action="view").exists()


def test_with_a_mandate_the_partner_sees_the_first_level_and_refers(
    client, staff, household, relay, make_user
):
    given = mandate(household, relay, make_user)
    client.force_login(staff)
    page = client.get(reverse(PAGE), {"numero": "7200001"}).content.decode()
    assert "Prime d&#x27;activité : en instruction" in page
    assert "Paul" not in page and "Durand" not in page  # never the persons' details
    assert AuditEvent.objects.filter(household_number="7200001", action="view").exists()
    client.post(reverse(PAGE), {"numero": "7200001", "motif": "Besoin d'aide pour la PPA"})
    referral = Referral.objects.get()
    assert (referral.partner, referral.household, referral.status) == (
        relay,
        household,
        ReferralStatus.OPEN,
    )
    # Once the mandate is withdrawn, nothing more.
    services.mandate_revoke(mandate=given, acting_user=given.granted_by)
    assert client.get(reverse(PAGE), {"numero": "7200001"}).status_code == 404
    assert not selectors.partner_referrals(relay).exists()


def test_the_caf_handles_a_referral_from_its_worklist(client, make_user, household, relay):
    referral = Referral.objects.create(
        partner=relay,
        household=household,
        reason="Dossier bloqué",
        created_at=dt.datetime(2022, 12, 20, tzinfo=dt.UTC),
        created_by=make_user(Role.PARTNER_RELAY, username="relais2"),
    )
    agent = make_user(Role.CASE_WORKER)
    client.force_login(agent)
    listing = client.get(reverse("outreach:referrals")).content.decode()
    assert "Dossier bloqué" in listing and "Point relais Caf de Naintré (test)" in listing
    empty = client.post(reverse("outreach:referrals"), {"referral": referral.pk, "outcome": " "})
    assert empty.status_code == 400
    client.post(
        reverse("outreach:referrals"), {"referral": referral.pk, "outcome": "Rendez-vous fixé"}
    )
    referral.refresh_from_db()
    assert (referral.status, referral.outcome, referral.handled_by) == (
        ReferralStatus.DONE,
        "Rendez-vous fixé",
        agent,
    )
    assert "Dossier bloqué" not in client.get(reverse("outreach:referrals")).content.decode()


def test_the_33_partners_of_the_departement_are_seeded_once():
    assert partners.partners_seed(acting_user=None) == (33, 0)
    assert partners.partners_seed(acting_user=None) == (0, 33)
    kinds = [p.kind for p in Partner.objects.all()]
    assert (kinds.count(PartnerKind.FRANCE_SERVICES), kinds.count(PartnerKind.RELAY)) == (23, 10)
    assert all(p.address and p.opening_hours and p.agreement_end for p in Partner.objects.all())


def test_the_seed_command_is_dry_unless_wet_run(capsys):
    call_command("outreach", "partners-seed")
    assert not Partner.objects.exists()
    call_command("outreach", "partners-seed", "--wet-run")
    assert Partner.objects.count() == 33
