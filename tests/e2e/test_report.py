"""The direction reads the annual report in a browser: every section, the charts with their
figures in words, the published figures beside the data, the chapter's inconsistencies; axe finds
no WCAG A/AA violation on these pages nor on a manager's dashboard."""

import re

import pytest
from playwright.sync_api import expect

from justedroit.core.roles import Role
from justedroit.reporting.document import INCONSISTENCIES, SECTIONS
from tests.e2e import world

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_director_reads_the_annual_report(visit):
    world.paid_household()
    world.person(Role.DIRECTOR, "directrice", first_name="Anne", last_name="Roux")
    director = visit("directrice")
    director.login("directrice")
    page = director.page

    director.menu("Indicateurs")
    page.get_by_role("link", name="Le rapport d'activité 2022 (HTML, PDF, JSON)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Rapport d'activité 2022 : renforcer notre qualité de service"
    )
    for section in SECTIONS:
        expect(page.get_by_role("heading", level=2, name=section.title)).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("^Graphique : Montant versé"))).to_be_visible()
    director.step("rapport")

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le rapport 2022 (PDF)").click()
    assert download.value.path().read_bytes().startswith(b"%PDF")

    page.get_by_role("link", name="Les incohérences du rapport publié").click()
    for item in INCONSISTENCIES:
        expect(page.get_by_role("heading", level=2, name=item.title)).to_be_visible()
    director.step("incoherences")


def test_the_director_reads_a_dashboard_with_its_chart_and_targets(visit):
    world.paid_household()
    world.person(Role.DIRECTOR, "directeur", first_name="Paul", last_name="Morel")
    director = visit("directeur")
    director.login("directeur")
    page = director.page

    director.menu("Tableaux de bord")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableaux de bord des responsables")
    director.step("tableaux-de-bord")
    page.get_by_role("link", name="Accueil et canaux de contact").click()
    expect(page.get_by_role("img", name=re.compile("^Graphique"))).not_to_have_count(0)
    director.step("accueil-et-canaux")
    page.get_by_role("link", name="Tous les tableaux de bord").click()
    page.get_by_role("link", name="Contrôles").click()
    director.step("controles")
