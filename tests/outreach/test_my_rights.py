"""« Mes droits » in the portal, without JavaScript: the benefits received, explained; the ones the
allocataire may claim, with the estimate, claimed in one step; the opt-out from campaigns."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from justedroit.core import clock
from justedroit.core.models import AuditEvent
from justedroit.core.roles import Role
from justedroit.entitlements.models import Entitlement, Run
from justedroit.outreach.models import OptOut, OptOutSource
from justedroit.registry.models import Claim, ClaimStatus, HouseholdAccount
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db
PAGE = "portal:outreach_rights"
DECEMBER = dt.date(2022, 12, 1)


@pytest.fixture
def household(db):
    household = HouseholdFactory(number="7100001")
    run = Run.objects.create(month=DECEMBER, as_of=clock.now(), started_at=clock.now())
    for benefit, eligible, due in (
        ("aide_logement", "212.00", "212.00"),
        ("ppa", "187.45", "0.00"),
        ("ars", "9.00", "0.00"),  # below the minimum: not offered
    ):
        Entitlement.objects.create(
            run=run,
            household=household,
            benefit=benefit,
            month=DECEMBER,
            eligible=Decimal(eligible),
            due=Decimal(due),
        )
    return household


@pytest.fixture
def claimant(make_user, household):
    user = make_user(Role.CLAIMANT, username="mes-droits")
    HouseholdAccount.objects.create(user=user, household=household)
    return user


def test_the_page_explains_what_is_received_and_offers_the_rest(client, claimant):
    client.force_login(claimant)
    page = client.get(reverse(PAGE))
    text = page.content.decode()
    assert page.status_code == 200 and "<script" not in text
    assert "Aide au logement : 212,00 € par mois" in text and "réduit votre loyer" in text
    assert "Prime d&#x27;activité : environ 187,45 € par mois" in text
    assert "Je demande la prime d&#x27;activité" in text
    assert "rentrée scolaire" not in text


def test_a_claim_in_one_step_is_recorded_pending_and_not_twice(client, claimant, household):
    client.force_login(claimant)
    done = client.post(reverse(PAGE), {"action": "claim", "benefit": "ppa"}, follow=True)
    claim = Claim.objects.get(household=household, benefit="ppa")
    assert (claim.status, claim.start_month) == (ClaimStatus.PENDING, DECEMBER)
    assert "est enregistrée" in done.content.decode()
    assert "Je demande la prime" not in done.content.decode()
    assert AuditEvent.objects.filter(household_number="7100001", action="create").exists()
    twice = client.post(reverse(PAGE), {"action": "claim", "benefit": "ppa"})
    assert twice.status_code == 400 and Claim.objects.filter(benefit="ppa").count() == 1
    not_offered = client.post(reverse(PAGE), {"action": "claim", "benefit": "ars"})
    assert not_offered.status_code == 400 and not Claim.objects.filter(benefit="ars").exists()


def test_the_allocataire_refuses_then_accepts_the_cafs_contacts(client, claimant, household):
    client.force_login(claimant)
    client.post(reverse(PAGE), {"action": "opt_out"})
    assert OptOut.objects.get(household=household).source == OptOutSource.PORTAL
    page = client.get(reverse(PAGE)).content.decode()
    assert "ne plus être sollicité par la Caf" in page
    client.post(reverse(PAGE), {"action": "opt_in"})
    assert not OptOut.objects.exists()


def test_another_allocataire_sees_nothing_of_it(client, make_user, household):
    other = make_user(Role.CLAIMANT, username="autre")
    HouseholdAccount.objects.create(user=other, household=HouseholdFactory(number="7100002"))
    client.force_login(other)
    page = client.get(reverse(PAGE)).content.decode()
    assert "187,45" not in page and "212,00" not in page
    client.post(reverse(PAGE), {"action": "claim", "benefit": "ppa"})
    assert not Claim.objects.filter(household=household).exists()
