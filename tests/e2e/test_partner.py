"""A partner (Espace France Services) in a browser: looks up a household that gave it a mandate,
sees the appointment it booked for it, and refers the household to the Caf."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from justedroit.core.clock import PARIS
from justedroit.outreach import services as outreach
from justedroit.outreach.models import Referral
from justedroit.reception.models import AppointmentType, Site
from tests.e2e import world

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_partner_follows_a_mandated_household(visit):
    home = world.household()
    world.tuesday_mornings()
    efs, user = world.partner_with_mandate(home)
    # Booked for the household by the partner (today through the partners' API).
    outreach.partner_appointment_book(
        partner=efs,
        household_number=home.number,
        appointment_type=AppointmentType.objects.get(code="dossier-sur-place"),
        site=Site.objects.get(slug="poitiers"),
        starts_at=dt.datetime.combine(world.TUESDAY, dt.time(9, 30), tzinfo=PARIS),
        acting_user=user,
    )
    anne = visit("partenaire")
    anne.login("efs-civray")
    page = anne.page

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
