"""The campaign page (funnel and phone worklist) for every role, and a call recorded from it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings

from justedroit.core import clock
from justedroit.core.models import AuditEvent
from justedroit.core.roles import Role
from justedroit.outreach.models import Campaign, Candidate, CandidateGroup, ContactChannel
from justedroit.registry.models import HouseholdAccount
from tests.channels.conftest import fuzz_examples
from tests.factories import HouseholdFactory
from tests.hostile_posts import field, post_hostile

pytestmark = pytest.mark.django_db
R = Role
CALLERS = {R.RECEPTION, R.CASE_WORKER, R.MANAGER}


@pytest.fixture
def candidate(db):
    campaign = Campaign.objects.create(
        name="PPA juin",
        benefit="ppa",
        month=dt.date(2022, 6, 1),
        as_of=clock.now(),
        min_amount=Decimal("15"),
        data_max_age_months=6,
        quiet_months=12,
        comparison_share=Decimal("0.1"),
        seed=1,
        planned_at=clock.now(),
    )
    return Candidate.objects.create(
        campaign=campaign,
        household=HouseholdFactory(number="7400001"),
        estimated_amount=Decimal("231.00"),
        explanation={},
        group=CandidateGroup.CONTACTED,
        channel=ContactChannel.PHONE,
    )


@pytest.mark.parametrize("role", list(Role))
def test_the_campaign_page_for_every_role(client, make_user, candidate, role):
    user = make_user(role)
    if role == Role.CLAIMANT:
        HouseholdAccount.objects.create(user=user, household=candidate.household)
    client.force_login(user)
    response = client.get(reverse("outreach:campaign", args=[candidate.campaign_id]))
    assert response.status_code == (200 if role in CALLERS else 403)


def test_an_agent_calls_from_the_worklist(client, make_user, candidate):
    agent = make_user(Role.CASE_WORKER)
    client.force_login(agent)
    url = reverse("outreach:campaign", args=[candidate.campaign_id])
    page = client.get(url).content.decode()
    assert "7400001" in page and "Bonjour, je vous appelle de la Caf" in page
    shown = AuditEvent.objects.get(detail__page=f"appels de la campagne {candidate.campaign_id}")
    assert list(shown.households.values_list("number", flat=True)) == ["7400001"]
    bad = client.post(url, {"candidate": candidate.pk, "outcome": "n'importe"})
    assert bad.status_code == 400
    client.post(url, {"candidate": candidate.pk, "outcome": "interested"})
    candidate.refresh_from_db()
    assert (candidate.call_outcome, candidate.called_by) == ("interested", agent)
    page = client.get(url).content.decode()
    assert "Aucun appel à passer" in page
    assert client.get(reverse("outreach:campaign", args=[999])).status_code == 404


def test_the_call_form_never_fails_on_hostile_input(client, make_user, candidate):
    """Whatever a caller posts: the call recorded and a redirect, or a 400 with its French
    message that wrote nothing."""
    client.force_login(make_user(Role.CASE_WORKER))
    url = reverse("outreach:campaign", args=[candidate.campaign_id])

    @settings(max_examples=fuzz_examples(30), suppress_health_check=list(HealthCheck))
    @given(
        candidate=field(str(candidate.pk), str(candidate.pk + 1), "0"),
        outcome=field("interested", "declined", "no_answer", "wrong_number", "opted_out"),
    )
    def post(**data):
        post_hostile(client, url, data)

    post()
