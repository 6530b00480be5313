"""Outreach's messages on the task queue: the campaigns' SMS (see core/sending.py)."""

from django_tasks import task

from justedroit.core import sending
from justedroit.outreach.models import CampaignSms, WelcomeEmail
from justedroit.outreach.services import campaigns, welcome


@task()
def campaign_sms_send(sms_id: int) -> str:
    return sending.attempt(CampaignSms, sms_id)


sending.outbound_kind(
    sending.OutboundKind(
        model=CampaignSms,
        label="SMS des campagnes d'accès aux droits",
        task=campaign_sms_send,
        transmit=campaigns.sms_transmit,
        describe=campaigns.sms_describe,
        select_related=("candidate__campaign", "candidate__household"),
        on_status=campaigns.sms_on_status,
        check_retry=campaigns.sms_check_retry,
    )
)


@task()
def welcome_email_send(email_id: int) -> str:
    return sending.attempt(WelcomeEmail, email_id)


sending.outbound_kind(
    sending.OutboundKind(
        model=WelcomeEmail,
        label="Courriels de bienvenue",
        task=welcome_email_send,
        transmit=welcome.welcome_transmit,
        describe=welcome.welcome_describe,
        select_related=("household",),
    )
)
