"""The verifier's, the managers' and an agent's quality pages: who may open them, what they
show, and that a review sent from the page is recorded (or nothing is, on bad input)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings

from justedroit.core import clock
from justedroit.core.models import AuditEvent
from justedroit.core.roles import Role
from justedroit.quality import services
from justedroit.quality.models import QualityAction, Review, SamplingPlan
from justedroit.quality.services import PlanInput
from justedroit.registry.services import fact_record
from tests.channels.conftest import fuzz_examples
from tests.factories import HouseholdFactory
from tests.hostile_posts import field, post_hostile

pytestmark = pytest.mark.django_db
READERS = {Role.VERIFIER, Role.ACCOUNTANT, Role.DIRECTOR, Role.PROCESS_PILOT}


@pytest.fixture
def plan(make_user):
    worker = make_user(Role.CASE_WORKER, username="gc")
    services.team_join(
        team_name="Poitiers A", agent=worker, start_date=dt.date(2020, 1, 1), acting_user=None
    )
    household = HouseholdFactory(number="7654321")
    fact_record(
        household=household,
        kind="rent",
        valid_from=dt.date(2030, 1, 1),
        valid_until=None,
        amount=Decimal("450"),
        source="agent",
        acting_user=worker,
    )
    return services.plan_draw(
        plan=PlanInput(
            name="Plan du jour",
            period_start=dt.date(2000, 1, 1),
            period_end=dt.date(2100, 1, 1),
            method="simple",
            size=1,
            seed=1,
        ),
        acting_user=make_user(Role.VERIFIER, username="verif"),
    )


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("name", ["quality:plan", "quality:plan_chart", "quality:review"])
def test_plan_pages_by_role(client, make_user, plan, role, name):
    client.force_login(make_user(role, username=f"x-{role.value}"))
    pk = plan.pk if name != "quality:review" else plan.items.get().pk
    allowed = READERS if name != "quality:review" else {Role.VERIFIER}
    response = client.get(reverse(name, args=[pk]))
    assert response.status_code == (200 if role in allowed else 403)


def test_the_verifier_sees_the_worklist_and_records_a_review(client, plan):
    verifier = plan.created_by
    client.force_login(verifier)
    page = client.get(reverse("quality:plan", args=[plan.pk])).content.decode()
    assert "7654321" in page and "Actes à vérifier" in page
    assert AuditEvent.objects.filter(actor=verifier, households__number="7654321").exists()
    item = plan.items.get()
    url = reverse("quality:review", args=[item.pk])
    bad = client.post(url, {"in_error": "1", "nature": "", "origin": "agent"})
    assert bad.status_code == 400 and "nature" in bad.content.decode()
    assert not Review.objects.exists()
    done = client.post(
        url,
        {
            "in_error": "1",
            "nature": "wrong_amount",
            "origin": "agent",
            "financial": "on",
            "impact": "12.50",
            "note": "Loyer mal reporté.",
        },
    )
    assert done.status_code == 302
    review = Review.objects.get()
    assert (review.in_error, review.impact, review.reviewer) == (True, Decimal("12.50"), verifier)
    chart = client.get(reverse("quality:plan_chart", args=[plan.pk]))
    assert chart["Content-Type"] == "image/svg+xml"
    svg = chart.content.decode()
    assert "Équipe : Poitiers A" in svg
    assert not re.search(r'="[0-9]+,[0-9]', svg)  # coordinates, not French decimals


def test_the_review_form_never_fails_on_hostile_input(client, plan):
    """Whatever the verifier posts: a review recorded and a redirect, or a 400 with its French
    errors that wrote nothing."""
    client.force_login(plan.created_by)
    url = reverse("quality:review", args=[plan.items.get().pk])

    @settings(max_examples=fuzz_examples(30), suppress_health_check=list(HealthCheck))
    @given(
        in_error=field("0", "1"),
        nature=field("", "wrong_amount", "missed_resource", "procedure"),
        origin=field("", "agent", "claimant"),
        financial=field("", "on"),
        impact=field("", "12.50", "-3", "12,50"),
        correction_kind=field("", "rent", "salary"),
        correction_from=field("", "2030-01-01", "2030-01-15", "2029-12-01"),
        correction_until=field("", "2030-06-01", "2029-01-01"),
        correction_amount=field("", "400.00", "-1"),
        note=field("", "Loyer mal reporté."),
    )
    def post(**data):
        post_hostile(client, url, data)

    post()


def test_an_agent_sees_only_their_own_results_the_manager_everyones(client, make_user, plan):
    services.review_record(
        item=plan.items.get(),
        in_error=True,
        nature="wrong_amount",
        origin="agent",
        acting_user=plan.created_by,
    )
    colleague = make_user(Role.CASE_WORKER, username="collegue")
    client.force_login(colleague)
    page = client.get(reverse("quality:my_results")).content.decode()
    assert "Aucun de vos actes" in page and "Montant erroné" not in page
    client.force_login(plan.items.get().act.agent)
    page = client.get(reverse("quality:my_results")).content.decode()
    assert "Montant erroné" in page and "7654321" not in page
    client.force_login(make_user(Role.MANAGER))
    page = client.get(reverse("quality:agents_results")).content.decode()
    assert "Poitiers A" in page and "gc" in page


def test_a_manager_supervises_an_agent_and_follows_quality_actions(client, make_user, plan):
    manager = make_user(Role.MANAGER, username="manager")
    worker = plan.items.get().act.agent
    client.force_login(manager)
    # A verification plan is the verifier's: the manager may not open it.
    assert client.get(reverse("quality:plan", args=[plan.pk])).status_code == 403
    response = client.post(
        reverse("quality:supervision"),
        {"form": "plan", "agent": worker.pk, "month": clock.today().replace(day=1), "size": 3},
    )
    supervision = SamplingPlan.objects.get(agent=worker)
    assert response["Location"] == reverse("quality:plan", args=[supervision.pk])
    assert set(supervision.items.values_list("act__agent", flat=True)) <= {worker.pk}
    client.post(
        reverse("quality:supervision"),
        {
            "form": "action",
            "kind": "training",
            "title": "Formation aux ressources",
            "agent": worker.pk,
            "owner": manager.pk,
            "due_date": clock.today() + dt.timedelta(days=30),
        },
    )
    action = QualityAction.objects.get()
    url = reverse("quality:action_close", args=[action.pk])
    client.post(url, {"note": ""})
    action.refresh_from_db()
    assert action.closed_at is None
    client.post(url, {"note": "Formation suivie le 12."})
    action.refresh_from_db()
    assert action.closed_at is not None and action.closing_note == "Formation suivie le 12."
    client.force_login(make_user(Role.VERIFIER, username="v2"))
    assert client.post(url, {"note": "x"}).status_code == 403
