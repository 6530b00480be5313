"""The allocataire, in a browser without JavaScript: books an appointment with the sign-language
interpreter, finds it confirmed in "Mes rendez-vous", then reads why June was paid what it was."""

import re

import pytest
from playwright.sync_api import expect

from justedroit.core.money import format_euros
from justedroit.entitlements.models import Payment
from justedroit.reception.models import Appointment, AppointmentType, ResourceKind, Site
from tests.e2e import world

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_allocataire_books_an_lsf_appointment_and_reads_a_payment(visit):
    home = world.paid_household()
    world.claimant_of(home)
    world.tuesday_mornings()
    june = Payment.objects.filter(household=home, month=world.JUNE).order_by("benefit")
    lea = visit("allocataire", javascript=False)
    lea.login("lea.martin")
    page = lea.page

    lea.menu("Prendre rendez-vous")
    motive = AppointmentType.objects.get(code="dossier-sur-place")
    page.get_by_label("Motif").select_option(label=str(motive))
    page.get_by_label("Lieu").select_option(label=str(Site.objects.get(slug="poitiers")))
    page.get_by_label("Besoin d'accessibilité").select_option(label=ResourceKind.LSF.label)
    page.get_by_role("button", name="Voir les créneaux libres").click()
    expect(page.get_by_role("heading", name="mardi 3 janvier")).to_be_visible()
    lea.step("creneaux LSF")

    page.get_by_role("link", name=re.compile("^mardi 3 janvier à 09:00")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmer le rendez-vous")
    lea.step("confirmation")
    page.get_by_role("button", name="Confirmer le rendez-vous du 3 janvier à 09:00").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Rendez-vous du mardi 3 janvier à 9 h confirmé"
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("mardi 3 janvier 2023 à 09:00")
    expect(page.get_by_text(f"{ResourceKind.LSF.label} : confirmé")).to_be_visible()
    expect(page.get_by_role("link", name="Ajouter à mon agenda (fichier .ics)")).to_be_visible()
    lea.step("rendez-vous confirme")
    assert Appointment.objects.get(household=home).accessibility_need == ResourceKind.LSF

    lea.menu("Mes paiements")
    total = sum(p.amount for p in june)
    expect(page.get_by_role("heading", name=f"Juin 2022 : {format_euros(total)}")).to_be_visible()
    lea.step("mes paiements")

    page.get_by_role("link", name="Comprendre le calcul de juin 2022").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Comment la Caf a calculé juin 2022")
    for payment in june:  # every amount paid has its heading, in words
        expect(
            page.get_by_role(
                "heading", name=f"{payment.get_benefit_display()} : {format_euros(payment.amount)}"
            )
        ).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"Salaire net mensuel de Léa Martin : 500,00"))
    ).to_be_visible()
    assert "aide_logement_" not in page.content() and "rsa_" not in page.content()
    lea.step("explication de juin")
