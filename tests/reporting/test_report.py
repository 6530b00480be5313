import io
import json
from decimal import Decimal
from html import unescape

import pypdf
import pytest
from django.core.management import call_command
from django.urls import reverse

from justedroit.core.french import change_percent_fr, change_points_fr, number_fr, percent_fr
from justedroit.core.indicators import _REGISTRY, indicator, registered
from justedroit.core.roles import Role
from justedroit.reporting import document, renderers, selectors
from justedroit.reporting.selectors import IndicatorRow

pytestmark = pytest.mark.django_db


def test_french_figures():
    assert number_fr(57262) == "57\u202f262"
    assert number_fr(Decimal("19.2")) == "19,2"
    assert number_fr(-3) == "\u22123"
    assert percent_fr(22) == "22\u202f%"
    assert change_percent_fr(57262, 40043) == "+43\u202f%"
    assert change_percent_fr(90, 100) == "\u221210\u202f%"
    assert change_percent_fr(5, 0) is None
    assert change_percent_fr(4165, 4181) == "\u22120,4\u202f%"  # not "−0 %"
    assert change_percent_fr(10000, 10001) == "0\u202f%"
    assert change_points_fr(Decimal("92"), Decimal("90")) == "+2 points"
    assert change_points_fr(Decimal("8"), Decimal("8.4")) == "\u22120,4 point"


def _row(**changes) -> IndicatorRow:
    values = dict(
        code="reception_visitors",
        label="Allocataires reçus",
        definition="",
        unit="visites",
        year=2022,
        value=57262,
        previous=40043,
        published=None,
        source="",
    )
    return IndicatorRow(**(values | changes))


def test_sentences_are_made_from_the_figures():
    assert document.sentence(_row()) == (
        "Allocataires reçus : 57\u202f262 visites en 2022, soit +43\u202f% par rapport à 2021 "
        "(40\u202f043 visites)."
    )
    rate = _row(label="Recours aux téléprocédures", unit="%", value=Decimal(92), previous=90)
    assert document.sentence(rate) == (
        "Recours aux téléprocédures : 92\u202f% en 2022, soit +2 points par rapport à 2021 "
        "(90\u202f%)."
    )
    assert document.sentence(_row(previous=None)).endswith("(pas de donnée pour 2021).")
    assert document.sentence(_row(value=None)) == "Allocataires reçus : pas de donnée pour 2022."
    assert document.sentence(_row(previous=0)).endswith("contre 0 visites en 2021.")


def test_a_later_domains_indicator_appears_without_changing_the_report(small_twin):
    # Declared as a new domain would, in a module the sections do not name.
    declared = indicator(code="test_new_domain", label="Nouvel indicateur", definition="", unit="x")
    declared.__module__ = "justedroit.newdomain.indicators"
    declared(lambda year: year)
    try:
        shown = document.document(selectors.indicator_report(2022, recompute=True))
    finally:
        del _REGISTRY["test_new_domain"]
    others = [s for s in shown.sections if s.title == document.OTHERS_TITLE]
    assert [row.code for row in others[0].parts[0].rows] == ["test_new_domain"]
    # Every indicator is in exactly one part.
    assert sorted(row.code for row in shown.rows()) == sorted(
        row.code for row in selectors.indicator_report(2022).rows
    )


def test_every_section_of_the_chapter_claims_indicators(small_twin):
    shown = document.document(selectors.indicator_report(2022))
    assert [s.slug for s in shown.sections] == [s.slug for s in document.SECTIONS]
    assert document.OTHERS_TITLE not in [s.title for s in shown.sections]
    assert [line.row.code for line in shown.key_figures] == list(document.KEY_FIGURES)


def test_the_report_figures_equal_the_indicators_command(small_twin, capsys, tmp_path):
    call_command("indicators", "--year", "2022", "--format", "json")
    expected = {row["code"]: row for row in json.loads(capsys.readouterr().out)}
    out = tmp_path / "rapport.json"
    call_command("report", "build", "--year", "2022", "--format", "json", "--output", str(out))
    assert capsys.readouterr().out.strip() == str(out)
    built = json.loads(out.read_text())
    shown = {
        row["code"]: row
        for section in built["sections"]
        for part in section["parts"]
        for row in part["indicators"]
    }
    assert shown == expected
    assert built["year"] == 2022 and "monthly_payments" in built


def test_the_pdf_opens_and_shows_every_section(small_twin, tmp_path, capsys):
    out = tmp_path / "rapport.pdf"
    call_command("report", "build", "--year", "2022", "--format", "pdf", "--output", str(out))
    text = " ".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(out.read_bytes())).pages
    )
    text = " ".join(text.split())
    for section in document.SECTIONS:
        assert section.title in text
    assert "Chiffres clés" in text and "Chiffres publiés et chiffres des données" in text


def test_the_html_file_and_the_page_share_the_body(small_twin, client, make_user, tmp_path):
    out = tmp_path / "rapport.html"
    call_command("report", "build", "--year", "2022", "--format", "html", "--output", str(out))
    file = out.read_text()
    client.force_login(make_user(Role.DIRECTOR))
    page = client.get(reverse("reporting:report"), {"annee": "2022"}).content.decode()
    for html in (file, page):
        assert "Le contrôle des allocataires pour le paiement du juste droit" in html
        assert 'src="data:image/svg+xml;base64,' in html
        assert "Foyers allocataires : 948\u202ffoyers" not in html  # a plain space before units
        assert "Foyers allocataires : 948 foyers en 2022" in html


def test_the_pages_downloads_and_inconsistencies(small_twin, client, make_user):
    client.force_login(make_user(Role.MANAGER))
    pdf = client.get(reverse("reporting:report_pdf"), {"annee": "2022"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    data = client.get(reverse("reporting:report_json"), {"annee": "2022"}).json()
    assert data["year"] == 2022
    page = client.get(reverse("reporting:inconsistencies"), {"annee": "2022"}).content.decode()
    for item in document.INCONSISTENCIES:
        assert item.title.replace("'", "&#x27;") in page
    # Both definitions of the controls are shown with their published values.
    assert "170\u202f925" in page and "186\u202f144" in page


def test_a_bad_year_is_refused_in_french(client, make_user):
    client.force_login(make_user(Role.DIRECTOR))
    response = client.get(reverse("reporting:report"), {"annee": "deux"})
    assert response.status_code == 400 and "année doit être" in response.content.decode()


def test_every_chart_draws_declared_indicators_and_monthly_charts_declared_series():
    declared = {i.code: i for i in registered()}
    for section in document.SECTIONS:
        for part in section.parts:
            for spec in part.charts:
                assert set(spec.codes) <= set(declared), spec.title
            for spec in part.monthly_charts:
                assert all(declared[code].monthly for code in spec.codes), spec.title


# The monthly charts of the CRA, the fraud, the outbound contacts and the quality of processing.
MONTHLY_CHARTS = (
    "Décisions de la CRA par issue, mois par mois",
    "Montant des remises accordées, mois par mois (€)",
    "Fraudes qualifiées, mois par mois",
    "Préjudice des fraudes qualifiées, mois par mois (M€)",
    "Lettres de mise en garde, mois par mois",
    "Allocataires contactés par SMS et par téléphone, et droits ouverts, par mois de "
    "planification de la campagne",
    "Actes de traitement des agents, mois par mois",
    "Actes vérifiés et trouvés en erreur, mois par mois",
)


def test_the_report_draws_the_monthly_charts_of_every_domain_with_their_text(small_twin):
    shown = document.document(selectors.indicator_report(2022))
    page = unescape(renderers.html(shown))
    for title in MONTHLY_CHARTS:
        # The image's text alternative names the chart and gives its figures month by month.
        assert f'alt="Graphique : {title}, 2022 (en ' in page, title
        assert f"<figcaption>{title}, 2022</figcaption>" in page, title
    assert 'alt="Graphique : Décisions de la CRA par issue (en décisions). ' in page
