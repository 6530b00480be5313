"""Campaign contacts: SMS through the notification backends with STOP, the phone worklist with
its script and outcome, opt-out honoured everywhere, and the funnel with its comparison group."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from justedroit.core import clock
from justedroit.core.models import AuditEvent
from justedroit.core.roles import Role
from justedroit.entitlements.models import Payment, Run
from justedroit.outreach import selectors
from justedroit.outreach.models import (
    CallOutcome,
    Campaign,
    CampaignSms,
    Candidate,
    CandidateGroup,
    ContactChannel,
    OptOut,
    OptOutSource,
    WelcomeEmail,
)
from justedroit.outreach.services import campaigns, welcome
from justedroit.reception.notifications import backends
from justedroit.registry.models import Claim, ClaimStatus, ContactKind, ContactPoint
from justedroit.reporting.selectors import data_version
from tests.factories import HouseholdFactory
from tests.indicator_series import assert_counts
from tests.task_queue import run_ready_tasks

pytestmark = pytest.mark.django_db
LOCMEM_SMS = "justedroit.reception.notifications.backends.LocMemSmsBackend"
TOKEN = "jeton-du-prestataire"
JUNE = dt.date(2022, 6, 1)


@pytest.fixture
def campaign(db):
    return Campaign.objects.create(
        name="Prime d'activité",
        benefit="ppa",
        month=JUNE,
        as_of=clock.now(),
        min_amount=Decimal("15"),
        data_max_age_months=6,
        quiet_months=12,
        comparison_share=Decimal("0.1"),
        seed=1,
        planned_at=clock.now(),
    )


def candidate(campaign, *, number, mobile="", group=CandidateGroup.CONTACTED, amount="180.00"):
    household = HouseholdFactory(number=number)
    if mobile:
        ContactPoint.objects.create(
            household=household,
            kind=ContactKind.MOBILE,
            value=mobile,
            source="declared",
            recorded_at=clock.now(),
        )
    return Candidate.objects.create(
        campaign=campaign,
        household=household,
        estimated_amount=Decimal(amount),
        explanation={},
        group=group,
        channel=ContactChannel.SMS if mobile else ContactChannel.PHONE,
        mobile=mobile,
    )


@pytest.fixture
def launch(django_capture_on_commit_callbacks):
    def launch(campaign):
        with django_capture_on_commit_callbacks(execute=True):
            return campaigns.campaign_launch(campaign=campaign, acting_user=None)

    return launch


@override_settings(JUSTEDROIT_SMS_BACKEND=LOCMEM_SMS)
def test_the_sms_leaves_through_the_backend_with_stop_and_marks_the_contact(campaign, launch):
    backends.outbox.clear()
    by_sms = candidate(campaign, number="8000001", mobile="+33612345678")
    candidate(campaign, number="8000002")  # no mobile: phone worklist
    candidate(campaign, number="8000003", mobile="+33612345679", group=CandidateGroup.COMPARISON)
    assert launch(campaign) == 1
    version = data_version()
    assert run_ready_tasks() == 1
    assert len(backends.outbox) == 1
    # Contacted: audited, and the report's cached contact counts are out of date.
    contact = AuditEvent.objects.get(reason="accès aux droits : contacté par SMS")
    assert (contact.actor, contact.household_number) == (None, "8000001")
    assert data_version() != version
    sent = backends.outbox[0]
    assert sent["to"] == "+33612345678"
    assert "STOP" in sent["text"] and "180 €/mois" in sent["text"]
    by_sms.refresh_from_db()
    assert by_sms.contacted_at is not None and by_sms.sms.status == "sent"
    assert launch(campaign) == 0 and CampaignSms.objects.count() == 1  # never twice


@override_settings(JUSTEDROIT_SMS_BACKEND=LOCMEM_SMS)
def test_an_sms_queued_before_an_opt_out_is_not_sent(campaign, launch):
    backends.outbox.clear()
    sms_candidate = candidate(campaign, number="8000011", mobile="+33612345670")
    launch(campaign)
    campaigns.opt_out_record(
        household=sms_candidate.household, source=OptOutSource.PORTAL, acting_user=None
    )
    run_ready_tasks()
    sms = CampaignSms.objects.get()
    assert backends.outbox == [] and sms.status == "failed" and "refusé" in sms.error
    sms_candidate.refresh_from_db()
    assert sms_candidate.contacted_at is None
    with pytest.raises(ValidationError, match="refusé les sollicitations"):
        campaigns.sms_check_retry(sms)


def test_launch_skips_households_that_opted_out(campaign, launch):
    opted = candidate(campaign, number="8000021", mobile="+33612345671")
    campaigns.opt_out_record(household=opted.household, source=OptOutSource.AGENT, acting_user=None)
    assert launch(campaign) == 0 and not CampaignSms.objects.exists()


@override_settings(JUSTEDROIT_SMS_RECEIPT_TOKEN=TOKEN)
def test_stop_by_sms_opts_out_every_household_with_that_mobile(campaign, client):
    first = candidate(campaign, number="8000031", mobile="+33612345672")
    other = candidate(campaign, number="8000032")
    url = reverse("outreach:sms_inbound")
    refused = client.post(url, "{}", content_type="application/json")
    assert refused.status_code == 401 and not OptOut.objects.exists()
    ignored = client.post(
        url,
        json.dumps({"from": "06 12 34 56 72", "text": "merci"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert ignored.json() == {"foyers_desinscrits": 0} and not OptOut.objects.exists()
    stopped = client.post(
        url,
        json.dumps([{"from": "06 12 34 56 72", "text": " stop "}]),
        content_type="application/json",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert stopped.json() == {"foyers_desinscrits": 1}
    opt_out = OptOut.objects.get()
    assert (opt_out.household, opt_out.source) == (first.household, OptOutSource.SMS_STOP)
    assert not OptOut.objects.filter(household=other.household).exists()


def test_the_phone_worklist_has_a_script_and_honours_opt_out(campaign, make_user):
    agent = make_user(Role.CASE_WORKER)
    to_call = candidate(campaign, number="8000041")
    refusing = candidate(campaign, number="8000042")
    candidate(campaign, number="8000043", group=CandidateGroup.COMPARISON)
    candidate(campaign, number="8000044", mobile="+33612345673")
    assert set(selectors.phone_worklist(campaign)) == {to_call, refusing}
    assert "prime d'activité" in campaigns.call_script(to_call) and "180" in campaigns.call_script(
        to_call
    )
    campaigns.call_record(candidate=refusing, outcome=CallOutcome.OPTED_OUT, acting_user=agent)
    assert OptOut.objects.get().household == refusing.household
    assert list(selectors.phone_worklist(campaign)) == [to_call]
    with pytest.raises(ValidationError, match="refusé les sollicitations"):
        campaigns.call_record(
            candidate=refusing, outcome=CallOutcome.REACHED_INTERESTED, acting_user=agent
        )
    done = campaigns.call_record(
        candidate=to_call, outcome=CallOutcome.REACHED_INTERESTED, acting_user=agent
    )
    assert done.contacted_at == clock.now() and done.called_by == agent
    assert list(selectors.phone_worklist(campaign)) == []
    comparison = Candidate.objects.get(group=CandidateGroup.COMPARISON)
    with pytest.raises(ValidationError, match="groupe de comparaison"):
        campaigns.call_record(
            candidate=comparison, outcome=CallOutcome.NO_ANSWER, acting_user=agent
        )


def test_the_funnel_measures_the_effect_against_the_comparison_group(campaign):
    run = Run.objects.create(month=JUNE, as_of=clock.now(), started_at=clock.now())
    later = clock.now() + dt.timedelta(days=20)

    def opened(c, amounts):
        Claim.objects.create(
            household=c.household,
            benefit="ppa",
            start_month=dt.date(2023, 1, 1),
            status=ClaimStatus.GRANTED,
            recorded_at=later,
        )
        for offset, amount in enumerate(amounts):
            Payment.objects.create(
                run=run,
                household=c.household,
                benefit="ppa",
                month=dt.date(2023, 1 + offset, 1),
                amount=Decimal(amount),
                paid_at=later + dt.timedelta(days=30 * offset),
            )

    contacted = [candidate(campaign, number=f"80001{i:02d}") for i in range(10)]
    comparison = [
        candidate(campaign, number=f"80002{i:02d}", group=CandidateGroup.COMPARISON)
        for i in range(5)
    ]
    Candidate.objects.filter(pk__in=[c.pk for c in contacted[:8]]).update(
        contacted_at=clock.now(), call_outcome=CallOutcome.REACHED_INTERESTED
    )
    opened(contacted[0], ["200.00", "300.00"])  # mean 250
    opened(contacted[1], ["150.00"])
    opened(contacted[2], ["100.00"])
    opened(comparison[0], ["120.00"])
    funnel = selectors.campaign_funnel(campaign)
    mine, theirs = funnel.contacted, funnel.comparison
    assert (mine.candidates, mine.contacted_phone, mine.reached) == (10, 8, 8)
    assert (mine.claims_filed, mine.rights_opened, mine.monthly_gain) == (3, 3, Decimal("500"))
    assert mine.mean_gain == Decimal("166.67")
    assert (theirs.candidates, theirs.contacted, theirs.rights_opened) == (5, 0, 1)
    # 30 % opened against 20 % without contact: 1 right out of 10 is the campaign's.
    assert funnel.attributable_rights == Decimal("1.0")
    assert funnel.attributable_yearly == Decimal("2000.04")
    assert funnel.opened_yearly == Decimal("6000.00")


def test_a_new_allocataire_is_welcomed_once_by_email_unless_opted_out(
    django_capture_on_commit_callbacks, mailoutbox
):
    new = HouseholdFactory(number="8000051")
    refusing = HouseholdFactory(number="8000052")
    HouseholdFactory(number="8000053")  # no e-mail known: nothing to send
    for household, address in ((new, "lea@example.org"), (refusing, "paul@example.org")):
        ContactPoint.objects.create(
            household=household,
            kind=ContactKind.EMAIL,
            value=address,
            source="declared",
            recorded_at=clock.now(),
        )
    campaigns.opt_out_record(household=refusing, source=OptOutSource.AGENT, acting_user=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert welcome.welcome_emails_queue() == 1
    run_ready_tasks()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["lea@example.org"]
    assert "8000051" in mailoutbox[0].body and "Mes droits" in mailoutbox[0].body
    assert WelcomeEmail.objects.get().status == "sent"
    assert selectors.welcome_emails_sent(clock.now().year) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert welcome.welcome_emails_queue() == 0  # once per household
    assert len(mailoutbox) == 1


def _planned(name: str, at: dt.datetime) -> Campaign:
    return Campaign.objects.create(
        name=name,
        benefit="ppa",
        month=clock.month_start(at.date()),
        as_of=at,
        min_amount=Decimal("15"),
        data_max_age_months=6,
        quiet_months=12,
        comparison_share=Decimal("0.1"),
        seed=1,
        planned_at=at,
    )


def _contact(campaign, launch, numbers: str, sms: int, phone: int) -> list[Candidate]:
    """`sms` candidates reached by SMS (queued at launch, sent by the worker) and `phone` called
    through the worklist, one more left uncalled and one in the comparison group."""
    made = [
        candidate(campaign, number=f"{numbers}0000{k}", mobile=f"+3361200{numbers}{k:02d}")
        for k in range(sms)
    ]
    called = [candidate(campaign, number=f"{numbers}0001{k}") for k in range(phone)]
    candidate(campaign, number=f"{numbers}00020")  # never called
    candidate(campaign, number=f"{numbers}00030", group=CandidateGroup.COMPARISON)
    with clock.frozen(campaign.planned_at + dt.timedelta(days=1)):
        launch(campaign)
        run_ready_tasks()
        for one in called:
            campaigns.call_record(
                candidate=one, outcome=CallOutcome.REACHED_INTERESTED, acting_user=None
            )
    return made + called


def _right_opened(one: Candidate) -> None:
    """A claim a week after the campaign, then a first payment."""
    after = one.campaign.planned_at + dt.timedelta(days=7)
    run = Run.objects.create(month=one.campaign.month, as_of=after, started_at=after)
    Claim.objects.create(
        household=one.household,
        benefit="ppa",
        start_month=one.campaign.month,
        status=ClaimStatus.GRANTED,
        recorded_at=after,
    )
    Payment.objects.create(
        run=run,
        household=one.household,
        benefit="ppa",
        month=one.campaign.month,
        amount=Decimal("120.00"),
        paid_at=after + dt.timedelta(days=20),
    )


@override_settings(JUSTEDROIT_SMS_BACKEND=LOCMEM_SMS)
def test_contacts_by_channel_and_rights_opened_by_month_of_the_campaign(launch):
    paris = clock.PARIS
    # Planned at 0:30 on 1 January in Paris (still 2021 in UTC): January 2022.
    january = _contact(
        _planned("Janvier", dt.datetime(2022, 1, 1, 0, 30, tzinfo=paris)), launch, "81", 1, 1
    )
    march = _contact(
        _planned("Mars", dt.datetime(2022, 3, 15, 9, tzinfo=paris)), launch, "82", 2, 1
    )
    _contact(_planned("2021", dt.datetime(2021, 12, 31, 22, tzinfo=paris)), launch, "83", 1, 1)
    _right_opened(march[0])
    _right_opened(march[2])
    _right_opened(january[1])
    assert_counts("outreach_contacted_sms", 2022, {1: 1, 3: 2})
    assert_counts("outreach_contacted_phone", 2022, {1: 1, 3: 1})
    assert_counts("outreach_rights_opened", 2022, {1: 1, 3: 2})
    assert_counts("outreach_contacted_sms", 2021, {12: 1})
