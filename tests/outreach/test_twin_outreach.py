"""The twin's access-to-rights behaviours on the small twin: the network (33 partners, monthly
meetings, the Halte-Répit permanences), the mobiles known, and the yearly campaign with the
households' response through the real services."""

import datetime as dt

import pytest
from django.test import override_settings

from justedroit.core import clock
from justedroit.outreach import selectors
from justedroit.outreach.models import Campaign, CandidateGroup, ContactChannel, Partner
from justedroit.registry.models import Claim, ContactPoint
from justedroit.twin.simulate import outreach
from justedroit.twin.simulate.outreach.campaign import campaign_month

pytestmark = pytest.mark.django_db
MARCH = dt.date(2022, 3, 1)


def test_the_network_is_simulated_as_published(small_twin):
    counts = outreach.simulate(
        first_month=dt.date(2022, 1, 1), last_month=dt.date(2022, 12, 1), seed=86, scale=0.01
    )
    assert Partner.objects.count() == 33 and counts["reunions"] == 12
    assert selectors.meetings_held(2022).count() == 12
    action = selectors.actions(2022).get()
    report = selectors.action_report(action)
    assert (report.sessions, report.people_received) == (5, 17)
    with_mobile = ContactPoint.objects.filter(kind="mobile").values("household").distinct()
    assert counts["mobiles"] == with_mobile.count() > 0


# The SMS provider is the outside world: named here, not inherited from whatever ran before.
@override_settings(
    JUSTEDROIT_SMS_BACKEND="justedroit.reception.notifications.backends.LocMemSmsBackend"
)
def test_the_campaign_month_plans_contacts_and_draws_responses(small_twin):
    outreach.simulate(first_month=MARCH, last_month=MARCH, seed=86, scale=0.01)
    before = Claim.objects.count()
    with clock.frozen(dt.datetime(2022, 3, 1, tzinfo=clock.PARIS)):
        assert campaign_month(dt.date(2022, 2, 1), 86) == {}  # not the campaign month
        counts = campaign_month(MARCH, 86)
    campaign = Campaign.objects.get()
    candidates = campaign.candidates.all()
    assert counts["campagne_candidats"] == len(candidates) > 0
    channels = {c.channel for c in candidates if c.group == CandidateGroup.CONTACTED}
    assert channels <= {ContactChannel.SMS, ContactChannel.PHONE}
    for c in candidates.filter(group=CandidateGroup.CONTACTED, channel=ContactChannel.SMS):
        assert c.contacted_at is not None and c.sms.status == "sent"
    assert not selectors.phone_worklist(campaign).exists()  # every call has its outcome
    claims = Claim.objects.order_by("-id")[: counts["campagne_demandes"]]
    assert Claim.objects.count() - before == counts["campagne_demandes"] > 0
    assert {c.household_id for c in claims} <= {c.household_id for c in candidates}
    assert all(c.benefit == "ppa" and c.recorded_at > campaign.planned_at for c in claims)
    with clock.frozen(dt.datetime(2022, 3, 1, tzinfo=clock.PARIS)):
        assert campaign_month(MARCH, 86) == {}  # once
