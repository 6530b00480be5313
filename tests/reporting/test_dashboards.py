"""The managers' dashboards: the month's figures and the 12 months before from the indicators'
monthly series (the same framework as the report), and the direction's targets as data."""

import datetime as dt
from decimal import Decimal
from html import escape

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings

from justedroit.appeals.models import AppealCase, Outcome
from justedroit.channels.models import Call, Document
from justedroit.controls.models import Control
from justedroit.core import clock
from justedroit.core.indicators import registered
from justedroit.core.models import AuditAction, AuditEvent
from justedroit.core.roles import Role
from justedroit.reception.models import Site, Ticket
from justedroit.recovery.models import Debt, DebtEntry
from justedroit.reporting import dashboards, document, renderers, selectors, services
from justedroit.reporting.models import Target
from justedroit.reporting.perms import INDICATOR_READERS, TARGET_EDITORS
from justedroit.reporting.selectors import IndicatorRow, Report
from tests.channels.conftest import fuzz_examples
from tests.factories import HouseholdFactory
from tests.hostile_posts import field, post_hostile

pytestmark = pytest.mark.django_db
MONTH = "?mois=2022-12"
# The series the charts of the report and the trends of the dashboards need.
MONTHLY = {
    "reception_visitors",
    "reception_appointments_held",
    "reception_phone_held",
    "reception_visio_held",
    "calls_received",
    "emails_handled",
    "documents_paper_share",
    "controls_automated",
    "controls_documents",
    "controls_on_site",
    "controls_overpayments",
    "controls_arrears",
    "recovery_notified",
    "recovery_recovered_same_year",
    "recovery_recovered_earlier_years",
    "appeals_remission_requests",
    "appeals_contestations",
    "appeals_remitted",
    *(f"appeals_decisions_{outcome}" for outcome in Outcome.values),
    "appeals_decisions_implicit",
    "fraud_cases",
    "fraud_amount",
    "fraud_prevention_letters",
    "outreach_contacted_sms",
    "outreach_contacted_phone",
    "outreach_rights_opened",
    "quality_processing_acts",
    "quality_acts_reviewed",
    "quality_acts_in_error",
}


def _at(year, month, day, hour=10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=clock.PARIS)


@pytest.fixture
def activity(db):
    """A little of each domain's work over 2021 and 2022, some of it in the first minutes of a
    year in Paris (still the year before in UTC): each row falls in its Paris month."""
    household = HouseholdFactory()
    site = Site.objects.first()
    instants = [_at(2021, 12, 31, 23), _at(2022, 1, 1, 0), _at(2022, 3, 15), _at(2022, 12, 31, 23)]
    for k, at in enumerate(instants):
        day = at.date()
        Ticket.objects.create(
            site=site,
            day=day,
            number=k + 1,
            queue="reception",
            reason="file",
            status="done",
            outcome="resolved",
            arrived_at=at,
        )
        Call.objects.create(
            call_id=f"c{k}",
            queue="general",
            offered_at=at,
            outcome="answered",
            wait_seconds=30,
            imported_at=at,
        )
        Document.objects.create(
            household=household,
            channel="paper" if k % 2 else "online",
            kind="payslip",
            routing="manual",
            received_at=at,
            scan_result="clean",
        )
        for kind in ("documents", "on_site"):
            Control.objects.create(
                household=household,
                kind=kind,
                origin="agent",
                status="closed",
                outcome="indu",
                opened_at=at,
                closed_at=at,
                overpayment=Decimal("12345.67"),
                arrears=Decimal("50000"),
            )
        Control.objects.create(
            household=household,
            kind="automated",
            origin="exchange",
            status="open",
            opened_at=at,
            month=day.replace(day=1),
        )
        debt = Debt.objects.create(
            household=household,
            benefit="af",
            origin="agent",
            reason="r",
            first_month=day,
            last_month=day,
            notified_on=day,
            prescription_from=day,
            created_at=at,
        )
        for kind, amount in (("notified", "250000.00"), ("repaid", "30000.00")):
            DebtEntry.objects.create(
                debt=debt, kind=kind, amount=Decimal(amount), on=day, recorded_at=at
            )
        for kind in ("remission", "contest_indu"):
            AppealCase.objects.create(
                household=household,
                kind=kind,
                debt=debt,
                channel="paper",
                benefit="af",
                contested_decision="Indu",
                notified_on=day,
                received_on=day,
                admissible=True,
                status="received",
                created_at=at,
            )


def _page(client, slug: str, query: str = MONTH):
    return client.get(reverse("reporting:dashboard", args=[slug]) + query)


def test_monthly_series_add_up_to_the_year(activity):
    report = selectors.indicator_report(2022, recompute=True)
    assert set(report.monthly) >= MONTHLY
    checked = 0
    for row in report.rows:
        if row.code not in report.monthly or row.unit == "%":
            continue
        total = sum(report.monthly[row.code][(2022, month)] for month in range(1, 13))
        if row.unit == "M€":  # each month rounded to the hundredth
            assert abs(total - (row.value or 0)) <= Decimal("0.06"), row.code
        else:
            assert total == (row.value or 0), row.code
        checked += bool(row.value)
    assert checked >= 11  # the rows above give figures to most of them: not vacuous
    # In Paris time: the last evening of 2021 is December 2021, 1 January at 0:xx is January.
    for code in ("reception_visitors", "calls_received"):
        series = report.monthly[code]
        assert (series[(2021, 12)], series[(2022, 1)], series[(2022, 12)]) == (1, 1, 1), code
    assert report.monthly["documents_paper_share"][(2022, 3)] == 0
    assert report.monthly["documents_paper_share"][(2022, 1)] == 100


def test_every_dashboard_renders_with_its_trends_and_their_tables(activity, client, make_user):
    client.force_login(make_user(Role.MANAGER))
    report = selectors.indicator_report(2022)
    domains = {d for board in dashboards.DASHBOARDS for d in board.domains}
    declared = {i.compute.__module__.split(".")[1] for i in registered()}
    # Every domain that declares indicators has its dashboard (but the payments and the registry,
    # the direction's figures, which the report shows).
    assert declared - domains == {"entitlements", "registry"}
    for board in dashboards.DASHBOARDS:
        page = _page(client, board.slug).content.decode()
        assert f"<h1>Tableau de bord : {board.title}</h1>" in page
    page = _page(client, "accueil-et-canaux").content.decode()
    visitors = next(row for row in report.rows if row.code == "reception_visitors")
    assert f'<th scope="row">{visitors.label}</th>' in page
    # The chart of each monthly indicator, its figures in words, and the same in a table.
    assert 'alt="Graphique : Allocataires reçus, de janv. 2022 à déc. 2022' in page
    assert "<caption>Allocataires reçus, de janv. 2022 à déc. 2022 (visites)</caption>" in page
    assert page.count('<th scope="row">décembre 2022</th>') >= 7
    # The domains whose series came later have their trends too.
    for slug, label in (
        ("fraude", "Fraudes détectées"),
        ("acces-aux-droits", "Allocataires contactés par SMS"),
        ("qualite", "Actes vérifiés"),
        ("recours", "Décisions de la CRA : remise totale"),
    ):
        page = _page(client, slug).content.decode()
        assert f'alt="Graphique : {label}, de janv. 2022 à déc. 2022' in page, slug


def test_the_twelve_months_cross_into_the_year_before():
    series = {(2021, m): m for m in range(1, 13)} | {(2022, m): 100 + m for m in range(1, 13)}
    report = Report(2022, [], [], dt.datetime(2023, 1, 1), {"x": series})
    months = report.last_months("x", 3)
    assert months[0] == (dt.date(2021, 4, 1), 4)
    assert months[-1] == (dt.date(2022, 3, 1), 103)
    assert len(months) == 12
    assert report.last_months("absent", 12)[0] == (dt.date(2022, 1, 1), None)


def _tile(value, target, better) -> dashboards.Tile:
    row = IndicatorRow("x", "X", "", "%", 2022, value, None, None, "", better)
    return dashboards.Tile(row, None, [], Target(value=target) if target is not None else None)


def test_a_target_is_reached_the_way_the_indicator_improves():
    assert _tile(Decimal(8), Decimal(10), "lower").reached is True
    assert _tile(Decimal(12), Decimal(10), "lower").reached is False
    assert _tile(Decimal(92), Decimal(90), "higher").reached is True
    assert _tile(900, 901, "").reached is False
    assert _tile(None, Decimal(10), "lower").reached is None
    assert _tile(Decimal(8), None, "lower").reached is None


def test_the_delivered_targets_name_indicators_and_their_source():
    codes = {i.code for i in registered()}
    delivered = list(Target.objects.all())
    assert delivered and all(t.code in codes and t.source for t in delivered)
    assert any(t.source.startswith("Hypothèse") for t in delivered)


def test_the_direction_sets_a_target_audited_with_the_one_it_replaced(client, make_user):
    director = make_user(Role.DIRECTOR)
    client.force_login(director)
    page = _page(client, "controles").content.decode()
    assert "Plan de contrôle : volumes publiés" in page  # a delivered target and its source
    response = client.post(
        reverse("reporting:dashboard", args=["controles"]) + MONTH,
        {"code": "controls_on_site", "value": "950", "source": "Note de la direction"},
    )
    assert response.status_code == 302
    target = Target.objects.get(code="controls_on_site", year=2022)
    assert (target.value, target.set_by, target.source) == (
        Decimal(950),
        director,
        "Note de la direction",
    )
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(target.pk))
    assert event.detail["cible précédente"] == "901.00"
    assert event.detail["cible"] == "950"
    # Withdrawn: no value.
    client.post(
        reverse("reporting:dashboard", args=["controles"]) + MONTH,
        {"code": "controls_on_site", "value": "", "source": "Plus de cible"},
    )
    assert "controls_on_site" not in selectors.targets(2022)


def test_only_the_direction_and_the_administrator_set_targets(client, make_user):
    before = list(Target.objects.values_list())
    for role in INDICATOR_READERS - TARGET_EDITORS:
        client.force_login(make_user(role))
        page = _page(client, "controles")
        assert page.status_code == 200
        assert "Enregistrer la cible" not in page.content.decode()
        response = client.post(
            reverse("reporting:dashboard", args=["controles"]) + MONTH,
            {"code": "controls_on_site", "value": "1", "source": "hypothèse"},
        )
        assert response.status_code == 403, role
    assert list(Target.objects.values_list()) == before
    assert {Role.DIRECTOR, Role.ADMINISTRATOR} == TARGET_EDITORS


@pytest.mark.parametrize(
    "sent, message",
    [
        ({"code": "controls_on_site", "value": "beaucoup", "source": "x"}, "Saisissez un nombre."),
        ({"code": "fraud_cases", "value": "3", "source": "x"}, "Sélectionnez un choix valide."),
        ({"code": "controls_on_site", "value": "3", "source": "  "}, "Ce champ est obligatoire."),
    ],
)
def test_a_wrong_target_is_refused_in_french_and_changes_nothing(client, make_user, sent, message):
    client.force_login(make_user(Role.DIRECTOR))
    before = list(Target.objects.values_list())
    response = client.post(reverse("reporting:dashboard", args=["controles"]) + MONTH, sent)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert list(Target.objects.values_list()) == before


def test_a_wrong_month_or_dashboard_is_refused(client, make_user):
    client.force_login(make_user(Role.MANAGER))
    refused = _page(client, "controles", "?mois=2022-13")
    assert refused.status_code == 400
    assert "format attendu AAAA-MM" in refused.content.decode()
    assert _page(client, "inconnu").status_code == 404


def test_the_report_draws_the_monthly_series_with_their_text(activity):
    shown = document.document(selectors.indicator_report(2022, recompute=True))
    html = renderers.html(shown)
    for title in (
        "Les contacts mois par mois : accueil, téléphone, courriels, 2022",
        "Part du papier dans les documents reçus, mois par mois (%) ; le reste arrive en ligne, "
        "2022",
        "Contrôles sur pièces et sur place, mois par mois, 2022",
        "Indus notifiés et recouvrés, mois par mois (M€), 2022",
    ):
        # The figures in words as the image's text alternative, January first.
        assert f'alt="Graphique : {escape(title)}' in html, title
    # (no e-mail answered in the year: no series for them)
    assert "janv. (Allocataires reçus : 1 ; Appels reçus (3230) : 1) — févr." in html


def test_the_quality_estimates_are_drawn_with_their_intervals():
    def row(code, value, interval):
        return IndicatorRow(code, code, "", "%", 2022, value, None, None, "", "higher", interval)

    report = Report(
        2022,
        [
            row("quality_iql", Decimal("94.2"), (Decimal("92.1"), Decimal("95.9"))),
            row("quality_iql6", None, None),
        ],
        [],
        dt.datetime(2023, 1, 1, tzinfo=clock.PARIS),
        {},
    )
    (chart,) = [c for s in document.document(report).sections for p in s.parts for c in p.charts]
    assert chart.intervals["2022"] == [(Decimal("92.1"), Decimal("95.9"))]
    html = renderers.html(document.document(report))
    assert (
        "quality_iql (2021 : — ; 2022 : 94,2, intervalle de confiance à 95 % de 92,1 à 95,9)"
        in (html)
    )


def test_the_target_form_never_fails_on_hostile_input(client, make_user):
    """Whatever the direction posts: a target set and a redirect, or a 400 with its French
    errors that wrote nothing."""
    client.force_login(make_user(Role.DIRECTOR))
    url = reverse("reporting:dashboard", args=["controles"]) + MONTH

    @settings(max_examples=fuzz_examples(30), suppress_health_check=list(HealthCheck))
    @given(
        code=field("controls_on_site", "controls_documents", "fraud_cases", "inconnu"),
        value=field("950", "12,5", "", "-3", "1e30", "99999999999999.99"),
        source=field("hypothèse", "x" * 301, "   "),
    )
    def post(**data):
        post_hostile(client, url, data)

    post()


def test_the_report_forms_never_fail_on_hostile_input(client, make_user):
    director = make_user(Role.DIRECTOR)
    services.report_version_create(
        document=document.document(selectors.indicator_report(2022)), acting_user=director
    )
    client.force_login(director)
    url = reverse("reporting:report") + "?annee=2022"

    @settings(max_examples=fuzz_examples(30), suppress_health_check=list(HealthCheck))
    @given(
        form=field("text", "news"),
        section=field("controle", "inconnue"),
        text=field("Bilan.", "x" * 5001, ""),
        published_on=field("2022-05-05", "2022-02-30"),
        title=field("Inauguration", "x" * 201, " "),
        image_alt=field("", "Une photo"),
    )
    def post(**data):
        post_hostile(client, url, data)

    post()
