"""A partner (Espace France Services) in a browser: books an appointment for a household that gave
it a mandate, finds it on the household's page, and refers the household to the Caf."""

import re

import pytest
from playwright.sync_api import expect

from justedroit.outreach.models import Referral
from justedroit.reception.models import Appointment, AppointmentType, BookedVia, Site
from tests.e2e import world

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_partner_books_for_a_mandated_household_and_refers_it(visit):
    home = world.household()
    world.tuesday_mornings()
    efs, _user = world.partner_with_mandate(home)
    anne = visit("partenaire")
    anne.login("efs-civray")
    page = anne.page

    anne.menu("Réserver un rendez-vous")
    page.get_by_label("Numéro allocataire").fill(home.number)
    page.get_by_role("button", name="Continuer").click()
    motive = AppointmentType.objects.get(code="dossier-sur-place")
    page.get_by_label("Motif").select_option(label=str(motive))
    page.get_by_label("Lieu").select_option(label=str(Site.objects.get(slug="poitiers")))
    page.get_by_role("button", name="Voir les créneaux libres").click()
    page.get_by_role("link", name=re.compile("^mardi 3 janvier à 09:30")).click()
    anne.step("creneau choisi")
    page.get_by_role("button", name=re.compile("^Confirmer le rendez-vous")).click()
    expect(page.get_by_role("status")).to_contain_text(
        f"Rendez-vous du mardi 3 janvier à 9 h 30 réservé pour le foyer {home.number}"
    )
    anne.step("rendez-vous reserve")

    anne.menu("Espace partenaire")
    expect(page.get_by_role("heading", level=1)).to_have_text("Espace partenaire")
    page.get_by_role("link", name=re.compile("Consulter la situation d'un allocataire")).click()
    page.get_by_label("Numéro allocataire").fill(home.number)
    page.get_by_role("button", name="Consulter").click()
    expect(page.get_by_role("heading", name=f"Foyer {home.number}")).to_be_visible()
    expect(page.get_by_text("03/01/2023 09:30 — Entretien sur votre dossier")).to_be_visible()
    anne.step("foyer consulte")

    page.get_by_label("Motif (ce dont l'allocataire a besoin)").fill(
        "Aide pour la déclaration trimestrielle de ressources"
    )
    page.get_by_role("button", name="Orienter vers la Caf").click()
    expect(page.get_by_role("status")).to_contain_text(f"Foyer {home.number} orienté vers la Caf")
    anne.step("foyer oriente")
    assert Referral.objects.get().partner == efs
    assert Appointment.objects.get(household=home).booked_via == BookedVia.PARTNER
