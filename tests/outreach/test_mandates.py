"""Mandates: the allocataire gives and withdraws them in the portal (no JavaScript), an agent
records a signed paper with its evidence; both are audited and checked by the database."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from justedroit.core import clock
from justedroit.core.models import AuditEvent
from justedroit.core.roles import Role
from justedroit.outreach import services
from justedroit.outreach.models import Mandate, MandateSource, PartnerKind
from justedroit.registry.models import Commune, HouseholdAccount
from tests.factories import HouseholdFactory
from tests.factories import claimant as claimant_member

pytestmark = pytest.mark.django_db
PAGE = "portal:outreach_mandates"


@pytest.fixture
def loudun_relay(db):
    return services.partner_create(
        kind=PartnerKind.RELAY,
        name="Point relais Caf de Loudun",
        commune=Commune.objects.get(insee_code="86137"),
        acting_user=None,
    )


@pytest.fixture
def household(db):
    return HouseholdFactory(number="7000001")


@pytest.fixture
def claimant(make_user, household):
    user = make_user(Role.CLAIMANT, username="lea")
    HouseholdAccount.objects.create(user=user, household=household)
    return user


def test_the_allocataire_gives_then_withdraws_a_mandate_without_javascript(
    client, claimant, household, loudun_relay
):
    client.force_login(claimant)
    page = client.get(reverse(PAGE))
    assert page.status_code == 200 and b"<script" not in page.content
    assert "Point relais Caf de Loudun" in page.content.decode()
    given = client.post(
        reverse(PAGE), {"action": "grant", "partner": loudun_relay.pk, "days": "90"}, follow=True
    )
    mandate = Mandate.objects.get()
    assert (mandate.household, mandate.partner, mandate.source) == (
        household,
        loudun_relay,
        MandateSource.PORTAL,
    )
    assert mandate.expires_at == clock.now() + dt.timedelta(days=90) and mandate.in_force
    assert "Mandat donné" in given.content.decode() and "En cours" in given.content.decode()
    assert AuditEvent.objects.filter(
        action="create", household_number="7000001", object_type="outreach.Mandate"
    ).exists()

    twice = client.post(reverse(PAGE), {"partner": loudun_relay.pk, "days": "30"})
    assert twice.status_code == 400 and "déjà en cours" in twice.content.decode()
    assert Mandate.objects.count() == 1

    withdrawn = client.post(reverse(PAGE), {"action": "revoke", "mandate": mandate.pk}, follow=True)
    mandate.refresh_from_db()
    assert mandate.revoked_at == clock.now() and mandate.revoked_by == claimant
    assert not mandate.in_force and "retiré" in withdrawn.content.decode()
    assert AuditEvent.objects.filter(action="update", household_number="7000001").exists()


def test_an_allocataire_cannot_touch_another_households_mandate(
    client, claimant, loudun_relay, make_user
):
    other = HouseholdFactory(number="7000002", members=[claimant_member(serial=8)])
    agent = make_user(Role.RECEPTION)
    theirs = services.mandate_record(
        household=other,
        partner=loudun_relay,
        evidence="Mandat papier",
        valid_until=dt.date(2023, 6, 30),
        acting_user=agent,
    )
    client.force_login(claimant)
    for posted in (
        {"action": "revoke", "mandate": theirs.pk},
        {"action": "revoke", "mandate": "x"},
    ):
        response = client.post(reverse(PAGE), posted, follow=True)
        assert "introuvable" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    with pytest.raises(ValidationError, match="Seul l'allocataire du foyer"):
        services.mandate_grant(household=other, partner=loudun_relay, days=30, acting_user=claimant)
    assert Mandate.objects.count() == 1


def test_a_mandate_duration_outside_the_choices_is_refused(client, claimant, loudun_relay):
    client.force_login(claimant)
    response = client.post(reverse(PAGE), {"partner": loudun_relay.pk, "days": "100000"})
    assert response.status_code == 400 and not Mandate.objects.exists()


def test_an_agent_records_a_signed_paper_with_its_evidence(client, make_user, loudun_relay):
    HouseholdFactory(number="7000003")
    client.force_login(make_user(Role.RECEPTION, username="accueil"))
    url = reverse("outreach:mandate_record")
    data = {
        "household_number": "7000003",
        "partner": loudun_relay.pk,
        "evidence": "Mandat signé le 30/12/2022, numérisé",
        "valid_until": "2023-06-30",
    }
    for bad, message in [
        ({"evidence": ""}, "obligatoire"),
        ({"valid_until": "2024-06-30"}, "un an au plus"),
        ({"valid_until": "2022-12-01"}, "un an au plus"),
        ({"household_number": "7999999"}, "Foyer inconnu"),
    ]:
        refused = client.post(url, data | bad)
        assert refused.status_code == 400 and message in refused.content.decode(), bad
    assert not Mandate.objects.exists()
    recorded = client.post(url, data, follow=True)
    assert "enregistré" in recorded.content.decode()
    mandate = Mandate.objects.get()
    assert (mandate.source, mandate.evidence) == (
        MandateSource.AGENT,
        "Mandat signé le 30/12/2022, numérisé",
    )
    # Valid through its last day, Paris time.
    assert mandate.expires_at == dt.datetime(2023, 7, 1, tzinfo=clock.PARIS)


@pytest.mark.parametrize("role", [Role.CLAIMANT, Role.PARTNER_RELAY, Role.DIRECTOR])
def test_only_desk_agents_record_mandates(client, make_user, loudun_relay, role):
    HouseholdFactory(number="7000004")
    client.force_login(make_user(role))
    response = client.post(
        reverse("outreach:mandate_record"),
        {
            "household_number": "7000004",
            "partner": loudun_relay.pk,
            "evidence": "papier",
            "valid_until": "2023-06-30",
        },
    )
    assert response.status_code == 403 and not Mandate.objects.exists()


def test_the_database_refuses_a_mandate_recorded_without_evidence(household, loudun_relay):
    with pytest.raises(IntegrityError, match="mandate_agent_has_evidence"), transaction.atomic():
        Mandate.objects.create(
            household=household,
            partner=loudun_relay,
            source=MandateSource.AGENT,
            granted_at=clock.now(),
            expires_at=clock.now() + dt.timedelta(days=30),
        )


def test_a_partner_account_joins_only_an_organisation_of_its_kind(make_user, loudun_relay):
    with pytest.raises(ValidationError, match="n'a pas le rôle"):
        services.partner_member_link(
            user=make_user(Role.PARTNER_EFS), partner=loudun_relay, acting_user=None
        )
    member = services.partner_member_link(
        user=make_user(Role.PARTNER_RELAY), partner=loudun_relay, acting_user=None
    )
    assert member.partner == loudun_relay
