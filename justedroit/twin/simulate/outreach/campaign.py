"""The yearly datamining campaign of the twin and the households' response, month by month.

In the campaign month, the Caf plans the campaign with the default criteria (the real
`campaign_plan`, whole-file screening by the engine), sends its SMS (each one attempted as the
worker would) and works its phone list; the households then respond: a reached candidate claims
with `claim_after_contact`, a candidate of the comparison group with `claim_without_contact`,
after a delay. A claim the twin files is granted from the month after (the twin does not simulate
the instruction); the monthly cycle then pays what the engine computes, so the mean gain emerges.
"""

import datetime as dt

import numpy as np

from justedroit.core import clock, sending
from justedroit.core.sending import DeliveryStatus
from justedroit.outreach.models import (
    CallOutcome,
    Campaign,
    CampaignSms,
    CandidateGroup,
    ContactChannel,
)
from justedroit.outreach.selectors import phone_worklist
from justedroit.outreach.services import campaigns
from justedroit.registry.models import Claim, ClaimStatus
from justedroit.twin.simulate.outreach.parameters import PARAMETERS as P


def campaign_month(month: dt.date, seed: int) -> dict[str, int]:
    """The campaign of `month`, if it is the campaign month; the responses are filed at once,
    dated on their day (claims recorded later than today are left for later months)."""
    if month != clock.parse_month(P.campaign_month):
        return {}
    if Campaign.objects.filter(month=month).exists():
        return {}
    rng = np.random.default_rng([seed, 13])
    campaign = campaigns.campaign_plan(
        name=f"Datamining prime d'activité {month:%m/%Y}",
        month=month,
        criteria=campaigns.Criteria(),
        seed=seed,
        acting_user=None,
    )
    campaigns.campaign_launch(campaign=campaign, acting_user=None)
    for pk in CampaignSms.objects.filter(
        candidate__campaign=campaign, status=DeliveryStatus.QUEUED
    ).values_list("pk", flat=True):
        sending.attempt(CampaignSms, pk)
    for candidate in phone_worklist(campaign):
        reached = rng.random() < P.phone_reached_share
        campaigns.call_record(
            candidate=candidate,
            outcome=CallOutcome.REACHED_INTERESTED if reached else CallOutcome.NO_ANSWER,
            acting_user=None,
        )
    claims = 0
    low, high = P.response_delay_days
    # Households the twin already makes claim later on their own are left to do so.
    claiming = set(
        Claim.objects.filter(benefit=campaign.benefit, start_month__gte=month).values_list(
            "household_id", flat=True
        )
    )
    for candidate in campaign.candidates.select_related("sms").order_by("id"):
        if candidate.group == CandidateGroup.COMPARISON:
            responds = rng.random() < P.claim_without_contact
            since = campaign.planned_at
        else:
            reached = (
                candidate.call_outcome == CallOutcome.REACHED_INTERESTED
                if candidate.channel == ContactChannel.PHONE
                else candidate.contacted_at is not None
            )
            responds = reached and rng.random() < P.claim_after_contact
            since = candidate.contacted_at or campaign.planned_at
        if not responds or candidate.household_id in claiming:
            continue
        filed = since + dt.timedelta(days=int(rng.integers(low, high + 1)))
        Claim.objects.create(
            household_id=candidate.household_id,
            benefit=campaign.benefit,
            start_month=clock.add_months(filed.astimezone(clock.PARIS).date().replace(day=1), 1),
            status=ClaimStatus.GRANTED,
            recorded_at=filed,
        )
        claims += 1
    return {"campagne_candidats": campaign.candidates.count(), "campagne_demandes": claims}
