"""The DQI pages: the map for its readers; a process's page, its yearly reviews and their chart
for the process's own pilot and the direction only; the pilot's action plan, the direction's
choice of pilot; bad input changes nothing. And the datamining page of the verifier."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from justedroit.core import clock
from justedroit.core.models import AuditEvent
from justedroit.core.roles import Role
from justedroit.quality import services
from justedroit.quality.datamining import RULES
from justedroit.quality.models import ActionKind, Process, QualityAction
from justedroit.registry.services import fact_record
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db
YEAR = 2022


@pytest.fixture
def action(piloted):
    return services.quality_action_open(
        kind=ActionKind.IMPROVEMENT,
        title="Renfort aux heures de pointe",
        owner=piloted.pilot,
        due_date=dt.date(2099, 1, 1),
        acting_user=piloted.pilot,
        process=piloted,
    )


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(
    "name", ["quality:process", "quality:process_review", "quality:process_chart"]
)
def test_process_pages_by_role(client, make_user, piloted, role, name):
    """Only the process's own pilot and the direction; another process's pilot gets a 403."""
    client.force_login(make_user(role, username=f"x-{role.value}"))
    args = [piloted.code] if name == "quality:process" else [piloted.code, YEAR]
    response = client.get(reverse(name, args=args))
    assert response.status_code == (200 if role == Role.DIRECTOR else 403)
    client.force_login(piloted.pilot)
    assert client.get(reverse(name, args=args)).status_code == 200


@pytest.mark.parametrize("role", list(Role))
def test_only_the_pilot_closes_a_process_action(client, make_user, action, role):
    client.force_login(make_user(role, username=f"x-{role.value}"))
    url = reverse("quality:process_action_close", args=["telephone", action.pk])
    assert client.post(url, {"note": "Fait."}).status_code == 403
    assert QualityAction.objects.get(pk=action.pk).closed_at is None
    client.force_login(action.owner)
    assert client.post(url, {"note": "Fait."}).status_code == 302
    assert QualityAction.objects.get(pk=action.pk).closing_note == "Fait."


def test_the_map_lists_every_process_by_kind(client, make_user, piloted):
    client.force_login(make_user(Role.MANAGER))
    page = client.get(reverse("quality:process_map")).content.decode()
    for heading in ("Processus de management", "Processus opérationnel", "Processus support"):
        assert heading in page
    for process in Process.objects.all():
        assert escape(process.name) in page
    assert "pilote-tel" in page
    assert reverse("quality:process", args=["telephone"]) not in page  # not the manager's
    client.force_login(piloted.pilot)
    page = client.get(reverse("quality:process_map")).content.decode()
    assert reverse("quality:process", args=["telephone"]) in page  # the pilot's own process
    assert reverse("quality:process", args=["documents"]) not in page


def test_the_pilots_page_shows_indicators_target_risks_and_actions(client, piloted, action):
    client.force_login(piloted.pilot)
    page = client.get(reverse("quality:process", args=["telephone"]), {"annee": YEAR})
    text = page.content.decode()
    assert "Taux de décroché" in text and "call_answer_rate" in text
    assert "Cible COG historique" in text
    assert "Appels perdus aux pics de charge" in text
    assert "Renfort aux heures de pointe" in text
    assert reverse("quality:process_chart", args=["telephone", YEAR]) in text
    # The yearly review lists the actions open during that year only (the test clock is in 2022).
    review = client.get(reverse("quality:process_review", args=["telephone", YEAR]))
    assert "Renfort aux heures de pointe" in review.content.decode()
    earlier = client.get(reverse("quality:process_review", args=["telephone", YEAR - 1]))
    assert "Renfort aux heures de pointe" not in earlier.content.decode()


def test_the_pilot_adds_an_action_bad_input_changes_nothing(client, piloted):
    client.force_login(piloted.pilot)
    url = reverse("quality:process", args=["telephone"])
    bad = client.post(url, {"form": "action", "title": "", "owner": piloted.pilot.pk})
    assert bad.status_code == 400
    assert not QualityAction.objects.exists()
    done = client.post(
        url,
        {
            "form": "action",
            "title": "Script de réponse",
            "owner": piloted.pilot.pk,
            "due_date": "01/01/2099",
        },
    )
    assert done.status_code == 302
    action = QualityAction.objects.get()
    assert (action.process, action.kind) == (piloted, ActionKind.IMPROVEMENT)


def test_only_the_direction_names_a_pilot(client, make_user, piloted):
    other = make_user(Role.PROCESS_PILOT, username="pilote-2")
    url = reverse("quality:process", args=["telephone"])
    client.force_login(piloted.pilot)
    assert client.post(url, {"form": "pilot", "pilot": other.pk}).status_code == 403
    client.force_login(make_user(Role.DIRECTOR, username="dir-2"))
    assert client.post(url, {"form": "pilot", "pilot": other.pk}).status_code == 302
    assert Process.objects.get(code="telephone").pilot == other


def test_the_chart_is_a_static_svg(client, piloted):
    client.force_login(piloted.pilot)
    chart = client.get(reverse("quality:process_chart", args=["telephone", YEAR]))
    assert chart["Content-Type"] == "image/svg+xml"
    svg = chart.content.decode()
    assert "Taux de décroché" in svg and "<rect" in svg
    assert 'stroke="#c00000"' in svg  # the target mark
    assert not re.search(r'="[0-9]+,[0-9]', svg)


def test_a_review_year_out_of_range_is_not_found(client, piloted):
    client.force_login(piloted.pilot)
    assert (
        client.get(reverse("quality:process_review", args=["telephone", 1990])).status_code == 404
    )
    assert client.get(reverse("quality:process", args=["inconnu"])).status_code == 404


def test_the_datamining_page_lists_each_rule_with_the_acts_it_flags(client, make_user):
    worker = make_user(Role.CASE_WORKER, username="gc")
    household = HouseholdFactory(number="7654321")
    today = clock.today()
    fact_record(
        household=household,
        kind="rent",
        valid_from=dt.date(today.year - 1, 1, 1),  # before the act's month: already paid
        valid_until=None,
        amount=Decimal("450"),
        source="agent",
        acting_user=worker,
    )
    verifier = make_user(Role.VERIFIER, username="verif")
    client.force_login(verifier)
    page = client.get(reverse("quality:datamining"), {"mois": f"{today:%Y-%m}"})
    text = page.content.decode()
    for description in RULES.values():
        assert escape(description) in text
    retroactive = text.split("« retroactive »")[1]
    assert "7654321" in retroactive and "gc" in retroactive
    assert AuditEvent.objects.filter(actor=verifier, households__number="7654321").exists()
    empty = client.get(reverse("quality:datamining"), {"mois": f"{today.year - 2}-01"})
    assert "7654321" not in empty.content.decode()
    assert client.get(reverse("quality:datamining"), {"mois": "2022-13"}).status_code == 400
