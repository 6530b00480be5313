"""Booking as people like it, without JavaScript: free slots grouped by day, pick one, one
confirmation step with the contact details, a summary with its .ics, moving from the portal; the
relay partner's booking for an allocataire who gave its organisation a mandate."""

import pytest
from django.urls import reverse
from django.utils.http import urlencode
from hypothesis import HealthCheck, given, settings

from justedroit.core.roles import Role
from justedroit.reception.models import Appointment
from justedroit.registry.models import HouseholdAccount
from tests.channels.conftest import fuzz_examples
from tests.hostile_posts import field, post_hostile
from tests.reception.conftest import TUESDAY, at

pytestmark = pytest.mark.django_db
SEARCH = {"type": "dossier-sur-place", "site": "poitiers", "need": "lsf"}


@pytest.fixture
def claimant_client(client, make_user, household, tuesday_morning):
    user = make_user(Role.CLAIMANT, email="lea@example.org")
    HouseholdAccount.objects.create(user=user, household=household)
    client.force_login(user)
    return client


def _slot(hour: int, **extra) -> dict:
    return {**SEARCH, "starts_at": at(TUESDAY, hour).isoformat(), **extra}


def test_free_slots_are_grouped_by_day_each_a_link_to_the_confirmation(claimant_client):
    html = claimant_client.get(reverse("portal:reception_book"), SEARCH).content.decode()
    assert "<script" not in html
    assert '<h3 id="jour-20230103">mardi 3 janvier</h3>' in html
    confirm = reverse("portal:reception_confirm")
    assert f'href="{confirm}?type=dossier-sur-place&amp;site=poitiers&amp;starts_at=' in html
    assert 'aria-label="mardi 3 janvier à 09:00, Caf de Poitiers' in html
    # The contact fields are no longer repeated on every slot: they come at the next step.
    assert 'name="contact_phone"' not in html
    assert "Voir les deux semaines suivantes" in html


def test_one_confirmation_step_then_a_summary_with_its_ics(claimant_client):
    url = reverse("portal:reception_confirm")
    step = claimant_client.get(url, _slot(9)).content.decode()
    assert "mardi 3 janvier 2023 à 09:00" in step
    assert step.count('name="contact_phone"') == 1
    assert 'value="lea@example.org"' in step  # the account's e-mail, offered
    assert "Interprète en langue des signes française (LSF)" in step
    assert not Appointment.objects.exists()  # looking is not booking
    response = claimant_client.post(
        url, _slot(9, contact_phone="06 12 34 56 78", contact_email="lea@example.org")
    )
    appointment = Appointment.objects.get()
    assert response["Location"] == reverse("portal:reception_appointment", args=[appointment.pk])
    summary = claimant_client.get(response["Location"]).content.decode()
    assert (
        "Rendez-vous du mardi 3 janvier à 9 h confirmé (entretien sur votre dossier, "
        "Caf de Poitiers)."
    ) in summary
    assert "Mon rendez-vous du mardi 3 janvier 2023 à 09:00" in summary
    assert "Interprète en langue des signes française (LSF) : confirmé" in summary
    assert "Pièce d&#x27;identité" in summary
    ics = claimant_client.get(reverse("portal:reception_ics", args=[appointment.pk]))
    assert ics["Content-Type"] == "text/calendar"
    body = ics.content.decode()
    assert "DTSTART;TZID=Europe/Paris:20230103T090000" in body
    assert "SUMMARY:Rendez-vous Caf : Entretien sur votre dossier" in body


def test_a_slot_taken_meanwhile_is_refused_in_french_and_nothing_is_written(
    claimant_client, client, make_user
):
    url = reverse("portal:reception_confirm")
    assert claimant_client.post(url, _slot(9)).status_code == 302
    again = claimant_client.post(url, _slot(9))
    assert again.status_code == 400 and "pas disponible" in again.content.decode()
    assert Appointment.objects.count() == 1
    forged = claimant_client.post(url, {**_slot(10), "type": "dette-indu"})  # agent-only motif
    assert forged.status_code == 400 and "Créneau inconnu" in forged.content.decode()
    assert Appointment.objects.count() == 1


def test_the_allocataire_cancels_and_is_told_which_appointment(claimant_client):
    claimant_client.post(reverse("portal:reception_confirm"), _slot(9))
    url = reverse("portal:reception_appointments")
    response = claimant_client.post(url, {"id": Appointment.objects.get().pk}, follow=True)
    assert "Votre rendez-vous du mardi 3 janvier à 9 h est annulé." in response.content.decode()


def test_a_wrong_contact_detail_shows_the_slot_again_with_its_error(claimant_client):
    url = reverse("portal:reception_confirm")
    response = claimant_client.post(url, _slot(9, contact_email="pas-un-courriel"))
    html = response.content.decode()
    assert response.status_code == 400 and not Appointment.objects.exists()
    assert "mardi 3 janvier 2023 à 09:00" in html  # the slot is not lost
    assert (
        '<a href="#id_contact_email">Courriel : Saisissez une adresse de courriel valide.' in html
    )
    garbled = claimant_client.post(url, {**_slot(9), "starts_at": "demain"})
    assert garbled.status_code == 400 and "Créneau inconnu" in garbled.content.decode()


def test_the_confirmation_never_fails_on_hostile_input(claimant_client):
    """Whatever the allocataire posts to the confirmation step: the appointment booked and a
    redirect, or a 400 with its French error that wrote nothing."""
    url = reverse("portal:reception_confirm")

    @settings(max_examples=fuzz_examples(30), suppress_health_check=list(HealthCheck))
    @given(
        type=field("dossier-sur-place", "dette-indu", "inconnu"),
        site=field("poitiers", "chatellerault", "nulle-part"),
        starts_at=field(
            at(TUESDAY, 9).isoformat(),
            at(TUESDAY, 9, 10).isoformat(),
            at(TUESDAY, 23).isoformat(),
            "2023-01-03 09:00",
            "0001-01-01T00:00",
        ),
        need=field("", "lsf", "wheelchair"),
        agent=field("", "1", "-5"),
        household=field("", "1234567"),
        contact_phone=field("", "06 12 34 56 78", "+33 6 12 34 56 78 90 12"),
        contact_email=field("", "lea@example.org", "pas-un-courriel"),
    )
    def post(**data):
        post_hostile(claimant_client, url, data)

    post()


def test_the_allocataire_moves_the_appointment_from_the_portal(claimant_client):
    claimant_client.post(reverse("portal:reception_confirm"), _slot(9))
    appointment = Appointment.objects.get()
    url = reverse("portal:reception_move", args=[appointment.pk])
    grid = claimant_client.get(url).content.decode()
    assert f'href="{url}?type=dossier-sur-place' in grid
    chosen = claimant_client.get(url, _slot(10)).content.decode()
    assert "Déplacer au mardi 3 janvier 2023 à 10:00" in chosen
    response = claimant_client.post(url, _slot(10), follow=True)
    assert "Votre rendez-vous est déplacé au mardi 3 janvier à 10 h." in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.starts_at == at(TUESDAY, 10)
    # Another household's appointment is not found.
    other = claimant_client.get(reverse("portal:reception_move", args=[appointment.pk + 1]))
    assert other.status_code == 404


def test_a_partner_books_for_an_allocataire_under_mandate_only(
    client, partner_user, household, tuesday_morning, civray_efs
):
    client.force_login(partner_user)
    book = reverse("portal:partner_book")
    refused = client.get(book, {"numero": "7654321"})
    assert refused.status_code == 404
    assert "Créneau" not in refused.content.decode()  # nothing of the household, no slots
    blind = client.post(reverse("portal:partner_confirm"), _slot(9, numero="7654321"))
    assert blind.status_code == 302 and not Appointment.objects.exists()


def test_with_a_mandate_the_partner_picks_a_slot_and_confirms(
    client, partner_user, household, mandate, tuesday_morning
):
    client.force_login(partner_user)
    grid = client.get(reverse("portal:partner_book"), {"numero": "7654321", **SEARCH})
    html = grid.content.decode()
    assert grid.status_code == 200 and "mardi 3 janvier" in html
    assert "numero=7654321" in html  # the household follows the chosen slot
    url = reverse("portal:partner_confirm")
    step = client.get(f"{url}?{urlencode(_slot(9, numero='7654321'))}").content.decode()
    assert "Confirmer le rendez-vous du foyer 7654321" in step
    response = client.post(url, _slot(9, numero="7654321"), follow=True)
    assert (
        "Rendez-vous du mardi 3 janvier à 9 h réservé pour le foyer 7654321 (Caf de Poitiers)."
    ) in response.content.decode()
    appointment = Appointment.objects.get()
    assert (appointment.booked_via, appointment.partner, appointment.booked_by) == (
        "partner",
        mandate.partner,
        partner_user,
    )


@pytest.mark.parametrize("role", list(Role))
def test_the_booking_steps_for_every_role(client, make_user, household, tuesday_morning, role):
    """The claimant's steps answer the claimant only (another household's appointment: 404); the
    partner's confirmation answers partners only."""
    owner = make_user(Role.CLAIMANT, username="owner")
    HouseholdAccount.objects.create(user=owner, household=household)
    client.force_login(owner)
    client.post(reverse("portal:reception_confirm"), _slot(9))
    pk = Appointment.objects.get().pk
    user = make_user(role, username=f"someone-{role.value}")
    client.force_login(user)
    claimant = {
        "portal:reception_confirm": (reverse("portal:reception_confirm"), _slot(10)),
        "portal:reception_appointment": (reverse("portal:reception_appointment", args=[pk]), {}),
        "portal:reception_ics": (reverse("portal:reception_ics", args=[pk]), {}),
        "portal:reception_move": (reverse("portal:reception_move", args=[pk]), {}),
    }
    for url, query in claimant.values():
        expected = 404 if role == Role.CLAIMANT else 403  # not their household
        assert client.get(url, query).status_code == expected, url
    partner = client.get(reverse("portal:partner_confirm"), _slot(10, numero="7654321"))
    assert partner.status_code == (302 if role in {Role.PARTNER_EFS, Role.PARTNER_RELAY} else 403)


def test_an_agent_picks_a_slot_in_the_grid_then_confirms_for_the_household(
    client, agent, household, tuesday_morning
):
    client.force_login(agent)
    url = reverse("reception:book")
    grid = client.get(url, {"household": "7654321", **SEARCH}).content.decode()
    assert '<h3 id="jour-20230103">mardi 3 janvier</h3>' in grid
    assert "household=7654321" in grid  # the household follows the chosen slot
    step = client.get(url, _slot(9, household="7654321"))
    assert "Confirmer le rendez-vous du foyer 7654321" in step.content.decode()
    assert not Appointment.objects.exists()
    response = client.post(url, _slot(9, household="7654321"), follow=True)
    assert (
        "Rendez-vous du mardi 3 janvier à 9 h réservé pour le foyer 7654321 (Caf de Poitiers)."
    ) in response.content.decode()
    assert Appointment.objects.get().booked_via == "agent"
