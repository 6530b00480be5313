"""The case worker in a browser: finds a household by name, records a fact, recomputes and reads
why only one month changed."""

import re

import pytest
from playwright.sync_api import expect

from justedroit.core.audit import ConsultationReason
from justedroit.core.roles import Role
from justedroit.entitlements.models import Adjustment
from justedroit.registry.models import FactKind, FactSource
from tests.e2e import world

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_case_worker_records_a_fact_and_recomputes(visit):
    world.paid_household()
    world.person(Role.CASE_WORKER, "gestionnaire", first_name="Marc", last_name="Blanc")
    agent = visit("gestionnaire")
    agent.login("gestionnaire")
    page = agent.page

    agent.menu("Foyers")
    page.get_by_role("searchbox").fill("Martin Léa")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("row", name=re.compile("7654321"))).to_be_visible()
    page.get_by_role("combobox").last.select_option(label=ConsultationReason.CLAIM.label)
    agent.step("foyer trouve par le nom")
    page.get_by_role("button", name="Ouvrir le dossier 7654321").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("7654321")

    # Léa earns 900 € a month from May 2022 (she declared it at the desk).
    fact = page.locator("form", has=page.get_by_role("button", name="Enregistrer", exact=True))
    fact.get_by_label("Nature").select_option(label=FactKind.SALARY.label)
    fact.get_by_label("Personne").select_option(index=1)
    fact.get_by_label("Valable à partir de (AAAA-MM)").fill("2022-05")
    fact.get_by_label("Montant ou taux").fill("900")
    fact.get_by_label("Source").select_option(label=FactSource.AGENT.label)
    fact.get_by_label("Motif").fill("Nouveau contrat déclaré à l'accueil")
    agent.step("fait saisi")
    fact.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_role("cell", name=re.compile(r"^900,00\s€$")).first).to_be_visible()
    agent.step("fait enregistre")

    page.get_by_role("link", name="Droits, paiements, rappels et indus du foyer").click()
    page.get_by_label("Du mois (AAAA-MM)").fill("2022-05")
    page.get_by_label("Au mois (AAAA-MM)").fill("2022-06")
    page.get_by_label("Motif").fill("Nouveau contrat de travail")
    page.get_by_role("button", name="Recalculer").click()
    message = page.get_by_role("status")
    # RSA and prime d'activité are quarterly rights: May is paid the amount fixed in March (on
    # December to February); June opens a quarter on March to May, the new pay: only June moves.
    expect(message).to_contain_text("Recalcul de mai 2022 à juin 2022 : 1 mois sur 2 changent")
    expect(message).to_contain_text("Salaire net mensuel de Léa Martin à partir de mai 2022")
    expect(message).to_contain_text("L'autre mois reste tel que payé")
    agent.step("recalcul lu")
    assert {a.month for a in Adjustment.objects.all()} == {world.JUNE}
    expect(page.get_by_role("cell", name="Dû selon les faits connus")).to_have_count(0)
