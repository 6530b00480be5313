"""Agents at work in a browser: reception serves the walk-in queue, the manager opens the
indicators, the data protection officer filters the audit trail."""

import re

import pytest
from playwright.sync_api import expect

from justedroit.core.roles import Role
from justedroit.reception.models import Queue, Site, Ticket, TicketOutcome, VisitReason
from justedroit.registry import services as registry
from tests.e2e import world

pytestmark = pytest.mark.django_db(transaction=True)


def test_reception_serves_the_queue(visit):
    world.household()
    world.person(Role.RECEPTION, "accueil-poitiers", first_name="Hugo", last_name="Petit")
    poitiers = Site.objects.get(slug="poitiers")
    desk = visit("accueil")
    desk.login("accueil-poitiers")
    page = desk.page

    desk.menu("Accueil et rendez-vous")
    page.get_by_role("link", name=f"Ouvrir l'écran de {poitiers.name}").click()
    page.get_by_label("File", exact=True).select_option(label=Queue.RECEPTION.label)
    page.get_by_label("Motif de la visite").select_option(label=VisitReason.PAYMENT.label)
    page.get_by_label("Numéro allocataire (si connu)").fill("7654321")
    page.get_by_role("button", name="Remettre un ticket").click()
    ticket = page.get_by_role("row", name=re.compile("7654321"))
    expect(ticket).to_contain_text(VisitReason.PAYMENT.label)
    desk.step("ticket remis")

    page.get_by_role(
        "button", name=re.compile(f"^Appeler le suivant .* — {re.escape(Queue.RECEPTION.label)}$")
    ).click()
    page.get_by_role("row", name=re.compile("7654321")).get_by_role(
        "button", name=re.compile("^Recevoir")
    ).click()
    row = page.get_by_role("row", name=re.compile("7654321"))
    row.get_by_label("Issue").select_option(label=TicketOutcome.RESOLVED.label)
    desk.step("visiteur recu")
    row.get_by_role("button", name=re.compile("^Clore la visite")).click()
    expect(page.get_by_role("row", name=re.compile("7654321"))).to_have_count(0)
    expect(page.get_by_text("1 visite terminée")).to_be_visible()
    desk.step("visite close")
    ticket = Ticket.objects.get()
    assert (ticket.status, ticket.outcome) == ("done", TicketOutcome.RESOLVED)


def test_the_manager_opens_the_indicators(visit):
    world.paid_household()
    world.person(Role.MANAGER, "manager", first_name="Claire", last_name="Morel")
    boss = visit("manager")
    boss.login("manager")
    page = boss.page

    boss.menu("Indicateurs")
    expect(page.get_by_role("heading", level=1)).to_have_text("Indicateurs 2022")
    expect(page.get_by_text("Calculés le 31/12/2022 à 10:00")).to_be_visible()
    households_paid = page.get_by_role("row", name=re.compile("^Foyers payés"))
    expect(households_paid.first).to_be_visible()
    months = page.get_by_role("table", name="Paiements par mois de 2022")
    expect(months.get_by_role("row", name=re.compile("^juin 2022"))).to_contain_text("1")
    expect(page.get_by_role("img", name=re.compile("Montant versé chaque mois"))).to_be_visible()
    boss.step("indicateurs")

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger les indicateurs 2022 (CSV)").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("Indicateur;Unité;2022;2021")
    page.get_by_role("button", name="Recalculer maintenant").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Indicateurs 2022")
    boss.step("indicateurs recalcules")


def test_the_dpo_filters_the_audit_trail(visit):
    home = world.household()
    worker = world.person(Role.CASE_WORKER, "gestionnaire", first_name="Marc", last_name="Blanc")
    registry.household_consult(
        household=home, acting_user=worker, reason="Appel de l'allocataire", page="Foyer"
    )
    world.person(Role.DATA_PROTECTION_OFFICER, "dpo", first_name="Inès", last_name="Lefort")
    dpo = visit("dpo")
    dpo.login("dpo")
    page = dpo.page

    dpo.menu("Journal d'audit")
    page.get_by_label("Numéro allocataire").fill("7654321")
    page.get_by_role("button", name="Filtrer").click()
    trail = page.get_by_role("table", name=re.compile("Événements d'audit"))
    consultation = trail.get_by_role("row", name=re.compile("gestionnaire"))
    expect(consultation.first).to_contain_text("7654321")
    expect(consultation.first).to_contain_text(Role.CASE_WORKER.label)
    expect(consultation.first).to_contain_text("Appel de l'allocataire")
    dpo.step("journal filtre")

    page.get_by_label("Numéro allocataire").fill("12")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("link", name=re.compile("Numéro allocataire"))).to_be_visible()
    expect(page.get_by_text("Le numéro allocataire compte 7 chiffres.").first).to_be_visible()
    dpo.step("erreur a cote du champ")
