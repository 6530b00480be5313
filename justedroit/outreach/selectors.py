"""Reads of the access-to-rights domain."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from justedroit.core import clock
from justedroit.core.calendar import months_later
from justedroit.core.db import by_pk
from justedroit.core.sending import DeliveryStatus
from justedroit.entitlements.models import Entitlement, Payment
from justedroit.outreach.models import (
    REACHED_OUTCOMES,
    ActionOutcome,
    ActionOutcomeKind,
    Campaign,
    Candidate,
    CandidateGroup,
    CollectiveAction,
    ContactChannel,
    InformationMaterial,
    InformationMeeting,
    Mandate,
    MeetingInvitation,
    OptOut,
    Partner,
    PartnerKind,
    PartnerMember,
    Referral,
    ReferralStatus,
    WelcomeEmail,
)
from justedroit.reception import selectors as reception
from justedroit.reception.models import Appointment
from justedroit.registry.models import Claim, ClaimStatus, Household
from justedroit.rules.situation import FRENCH_LABELS


def partners() -> QuerySet[Partner]:
    return Partner.objects.select_related("commune")


def partner_by_name(name: str) -> Partner | None:
    return partners().filter(name=name).first()


def partner_of(user) -> Partner | None:
    """The organisation a partner account works for (None if the account is not linked)."""
    member = PartnerMember.objects.select_related("partner").filter(user=user).first()
    return member.partner if member is not None else None


def _in_force() -> Q:
    now = clock.now()
    return Q(revoked_at__isnull=True, granted_at__lte=now, expires_at__gt=now)


def mandated_household(*, partner: Partner, number: str) -> Household | None:
    """The household numbered `number` if it gave `partner` a mandate in force; None if it does
    not exist or gave none — one query either way, so callers cannot tell the two apart."""
    return mandated_households(partner).filter(number=number).select_related("commune").first()


def mandated_households(partner: Partner) -> QuerySet[Household]:
    """The households under a mandate in force for `partner` (a lazy query, usable as a filter)."""
    return Household.objects.filter(
        pk__in=Mandate.objects.filter(_in_force(), partner=partner).values("household_id")
    )


def household_mandates(household: Household) -> QuerySet[Mandate]:
    """All the household's mandates, newest first (in force, expired and revoked)."""
    return household.mandates.select_related("partner", "partner__commune")


def household_mandate(household: Household, mandate_id) -> Mandate | None:
    return household_mandates(household).filter(pk=mandate_id).first()


def partner_appointments(partner: Partner, **filters) -> QuerySet[Appointment]:
    """What `partner` booked, for the households still under its mandate only: once the
    allocataire withdraws the mandate, the partner sees nothing more of them."""
    return reception.partner_appointments(
        partner=partner, households=mandated_households(partner), **filters
    )


def partner_appointments_page(
    partner: Partner, *, offset: int, limit: int, **filters
) -> tuple[list[Appointment], int]:
    """One page of `partner_appointments`, and how many there are in all."""
    found = partner_appointments(partner, **filters)
    return list(found[offset : offset + limit]), found.count()


def partner_appointment(partner: Partner, appointment_id: int) -> Appointment | None:
    return partner_appointments(partner).filter(pk=appointment_id).first()


# ---- campaigns: worklists, funnel and attribution -----------------------------------------------
# A claim filed (and a right opened) within this many months of the campaign's planning counts
# for the campaign, for its contacted candidates and for its comparison group alike.
FOLLOW_UP_MONTHS = 6
WORKLIST_PAGE = 50  # calls shown at once
SMS_REACHED = (DeliveryStatus.SENT, DeliveryStatus.DELIVERED)


def campaigns() -> QuerySet[Campaign]:
    return Campaign.objects.all()


def campaign(campaign_id) -> Campaign | None:
    return campaigns().filter(pk=campaign_id).first()


def phone_worklist(campaign: Campaign) -> QuerySet[Candidate]:
    """The candidates to call: contact group, no mobile known, no outcome yet, not opted out."""
    return (
        campaign.candidates.filter(
            group=CandidateGroup.CONTACTED, channel=ContactChannel.PHONE, call_outcome=""
        )
        .exclude(household__outreach_opt_out__isnull=False)
        .select_related("household", "campaign")
    )


def call_to_make(campaign: Campaign, pk) -> Candidate | None:
    """The candidate of the campaign's phone worklist whose key a form sent, or None."""
    return by_pk(phone_worklist(campaign), pk)


def opted_out(household: Household) -> OptOut | None:
    return OptOut.objects.filter(household=household).first()


@dataclass
class GroupFunnel:
    candidates: int = 0
    contacted_sms: int = 0
    contacted_phone: int = 0
    reached: int = 0
    claims_filed: int = 0
    rights_opened: int = 0
    monthly_gain: Decimal = Decimal("0.00")  # sum over rights opened of the mean monthly amount

    @property
    def contacted(self) -> int:
        return self.contacted_sms + self.contacted_phone

    @property
    def opened_rate(self) -> Decimal | None:
        return Decimal(self.rights_opened) / self.candidates if self.candidates else None

    @property
    def mean_gain(self) -> Decimal | None:
        if not self.rights_opened:
            return None
        return (self.monthly_gain / self.rights_opened).quantize(Decimal("0.01"))


@dataclass
class Funnel:
    contacted: GroupFunnel
    comparison: GroupFunnel

    @property
    def attributable_rights(self) -> Decimal | None:
        """Rights opened because of the contact: the contacted group's rate minus the comparison
        group's, times the contacted candidates (None without a comparison group)."""
        mine, theirs = self.contacted.opened_rate, self.comparison.opened_rate
        if mine is None or theirs is None:
            return None
        return ((mine - theirs) * self.contacted.candidates).quantize(Decimal("0.1"))

    @property
    def attributable_yearly(self) -> Decimal | None:
        """€ per year of the rights attributable to the campaign, at the contacted group's mean
        monthly gain."""
        rights, gain = self.attributable_rights, self.contacted.mean_gain
        if rights is None or gain is None:
            return None
        return (rights * gain * 12).quantize(Decimal("0.01"))

    @property
    def opened_yearly(self) -> Decimal:
        """€ per year of all the rights opened among the contacted candidates."""
        return (self.contacted.monthly_gain * 12).quantize(Decimal("0.01"))


def campaign_funnel(campaign: Campaign) -> Funnel:
    """Candidates → contacted (by channel) → reached → claim filed → right opened → amount, for
    the contacted candidates and the comparison group, read from the claims and payments."""
    end = months_later(campaign.planned_at, FOLLOW_UP_MONTHS)
    rows = list(
        campaign.candidates.values_list(
            "household_id", "group", "channel", "contacted_at", "call_outcome", "sms__status"
        )
    )
    ids = [row[0] for row in rows]
    filed = set(
        Claim.objects.filter(
            household_id__in=ids,
            benefit=campaign.benefit,
            recorded_at__gte=campaign.planned_at,
            recorded_at__lt=end,
        ).values_list("household_id", flat=True)
    )
    paid: dict[int, list[Decimal]] = defaultdict(list)
    for household_id, amount in Payment.objects.filter(
        household_id__in=filed,
        benefit=campaign.benefit,
        month__gte=campaign.month,
        paid_at__lt=end,
    ).values_list("household_id", "amount"):
        paid[household_id].append(amount)
    groups = {CandidateGroup.CONTACTED: GroupFunnel(), CandidateGroup.COMPARISON: GroupFunnel()}
    for household_id, group, channel, contacted_at, outcome, sms_status in rows:
        funnel = groups[CandidateGroup(group)]
        funnel.candidates += 1
        if contacted_at is not None:
            if channel == ContactChannel.SMS:
                funnel.contacted_sms += 1
                funnel.reached += sms_status in SMS_REACHED
            else:
                funnel.contacted_phone += 1
                funnel.reached += outcome in REACHED_OUTCOMES
        funnel.claims_filed += household_id in filed
        if paid.get(household_id):
            amounts = paid[household_id]
            funnel.rights_opened += 1
            funnel.monthly_gain += sum(amounts, Decimal(0)) / len(amounts)
    for funnel in groups.values():
        funnel.monthly_gain = funnel.monthly_gain.quantize(Decimal("0.01"))
    return Funnel(groups[CandidateGroup.CONTACTED], groups[CandidateGroup.COMPARISON])


def campaigns_planned_in(year: int) -> QuerySet[Campaign]:
    return campaigns().filter(planned_at__year=year)


# ---- « Mes droits » ------------------------------------------------------------------------------
WHAT_IT_IS = {
    "af": "Les allocations familiales aident les familles qui ont au moins deux enfants de moins "
    "de 20 ans ; leur montant dépend du nombre d'enfants et des revenus.",
    "cf": "Le complément familial aide les familles d'au moins trois enfants de 3 à 21 ans aux "
    "revenus modestes.",
    "asf": "L'allocation de soutien familial aide à élever un enfant privé de l'aide de l'un de "
    "ses parents ou des deux.",
    "ars": "L'allocation de rentrée scolaire aide, chaque mois d'août, à payer la rentrée des "
    "enfants de 6 à 18 ans scolarisés.",
    "paje_base": "L'allocation de base de la PAJE aide à faire face aux dépenses d'un enfant de "
    "moins de 3 ans.",
    "aide_logement": "L'aide au logement réduit votre loyer ou votre mensualité d'emprunt ; elle "
    "dépend de vos ressources des 12 derniers mois, de votre loyer et de votre commune.",
    "rsa": "Le revenu de solidarité active assure un revenu minimum ; il complète vos ressources "
    "du trimestre jusqu'à un montant forfaitaire qui dépend de votre foyer.",
    "ppa": "La prime d'activité complète les revenus des personnes qui travaillent ; elle est "
    "calculée sur vos revenus des trois derniers mois.",
    "aah": "L'allocation aux adultes handicapés assure un revenu minimum aux personnes dont le "
    "handicap est reconnu par la CDAPH.",
}


@dataclass(frozen=True)
class Right:
    benefit: str
    label: str
    amount: Decimal
    explained: str


@dataclass(frozen=True)
class HouseholdRights:
    month: dt.date | None
    received: list[Right]
    claimable: list[Right]  # entitled, not claimed, no claim pending: claim in one step
    pending: list[str]  # benefits with a claim being examined


def household_rights(household: Household) -> HouseholdRights:
    """What the engine computed for the household's latest month: the benefits it receives and
    those it may be entitled to without claiming them (at least the minimum a campaign uses)."""
    latest = (
        Entitlement.objects.filter(household=household).order_by("-month").values("month").first()
    )
    pending = sorted(
        Claim.objects.filter(household=household, status=ClaimStatus.PENDING).values_list(
            "benefit", flat=True
        )
    )
    if latest is None:
        return HouseholdRights(None, [], [], pending)
    month = latest["month"]
    received: list[Right] = []
    claimable: list[Right] = []
    for benefit, eligible, due in (
        Entitlement.objects.filter(household=household, month=month)
        .order_by("benefit", "-run_id")
        .values_list("benefit", "eligible", "due")
    ):
        if any(r.benefit == benefit for r in received + claimable):
            continue  # the latest run of the month only
        right = Right(benefit, FRENCH_LABELS[benefit], due or eligible, WHAT_IT_IS[benefit])
        if due > 0:
            received.append(right)
        elif eligible >= PORTAL_MIN_AMOUNT and benefit not in pending:
            claimable.append(right)
    return HouseholdRights(month, received, claimable, pending)


PORTAL_MIN_AMOUNT = Decimal("15.00")  # as a campaign's default minimum (PPA not paid below 15 €)


def welcome_emails_sent(year: int) -> int:
    return WelcomeEmail.objects.filter(sent_at__year=year, status__in=SMS_REACHED).count()


# ---- the partner portal -----------------------------------------------------------------------
@dataclass(frozen=True)
class PartnerHouseholdSummary:
    """What a partner may know of a household under its mandate — where the file stands and what
    to send — never the file itself (no amounts, no resources, no persons' details)."""

    household: Household
    claims: list[tuple[str, str, dt.date]]  # benefit label, status label, since
    appointments: list[Appointment]
    referrals: list[Referral]


def partner_household_summary(*, partner: Partner, number: str) -> PartnerHouseholdSummary | None:
    household = mandated_household(partner=partner, number=number)
    if household is None:
        return None
    claims = [
        (claim.get_benefit_display(), claim.get_status_display(), claim.start_month)
        for claim in Claim.objects.filter(
            Q(status=ClaimStatus.PENDING) | Q(status=ClaimStatus.GRANTED, end_month__isnull=True),
            household=household,
        ).order_by("benefit", "-start_month")
    ]
    return PartnerHouseholdSummary(
        household=household,
        claims=claims,
        appointments=list(partner_appointments(partner).filter(household=household)),
        referrals=list(household.outreach_referrals.filter(partner=partner)),
    )


def referrals_open() -> QuerySet[Referral]:
    return Referral.objects.filter(status=ReferralStatus.OPEN).select_related(
        "partner", "household"
    )


def referral(referral_id) -> Referral | None:
    return Referral.objects.filter(pk=referral_id).select_related("household", "partner").first()


def partner_referrals(partner: Partner) -> QuerySet[Referral]:
    """What `partner` referred, for the households still under its mandate only."""
    return partner.referrals.filter(household__in=mandated_households(partner)).select_related(
        "household"
    )


# ---- meetings and collective actions ----------------------------------------------------------
def partners_by_kind() -> dict[str, int]:
    counts = dict.fromkeys(PartnerKind.values, 0)
    for kind in Partner.objects.values_list("kind", flat=True):
        counts[kind] += 1
    return counts


def meetings_held(year: int) -> QuerySet[InformationMeeting]:
    return InformationMeeting.objects.filter(held_on__year=year)


def attendance_by_partner(year: int) -> dict[str, tuple[int, int]]:
    """Partner name → (meetings attended, meetings invited to) over the year's meetings whose
    attendance is recorded."""
    found: dict[str, tuple[int, int]] = {}
    for name, attended in MeetingInvitation.objects.filter(
        meeting__held_on__year=year, attended__isnull=False
    ).values_list("partner__name", "attended"):
        came, invited = found.get(name, (0, 0))
        found[name] = (came + bool(attended), invited + 1)
    return found


def meetings(year: int) -> QuerySet[InformationMeeting]:
    """The year's meetings, with how many partners were invited and came."""
    return meetings_held(year).annotate(
        invited=Count("invitations"),
        present=Count("invitations", filter=Q(invitations__attended=True)),
    )


def meeting(meeting_id) -> InformationMeeting | None:
    return InformationMeeting.objects.filter(pk=meeting_id).first()


def meeting_invitations(meeting: InformationMeeting) -> QuerySet[MeetingInvitation]:
    return meeting.invitations.select_related("partner", "partner__commune").order_by(
        "partner__name"
    )


@dataclass(frozen=True)
class Attendance:
    partner: str
    attended: int
    invited: int

    @property
    def rate(self) -> Decimal:
        """Percentage of the meetings the partner was invited to that it attended."""
        return (Decimal(100) * self.attended / self.invited).quantize(Decimal("0.1"))


def attendance_rates(year: int) -> list[Attendance]:
    """Per partner, by name: its attendance over the year's meetings whose attendance is
    recorded."""
    return [
        Attendance(name, attended, invited)
        for name, (attended, invited) in sorted(attendance_by_partner(year).items())
    ]


def current_material() -> InformationMaterial | None:
    """The newest version of the meetings' information material: the one partners download."""
    return InformationMaterial.objects.order_by("-version").first()


def materials() -> QuerySet[InformationMaterial]:
    """Every version, newest first, with its downloads and how many partners made them."""
    return InformationMaterial.objects.select_related("meeting").annotate(
        download_count=Count("downloads"),
        partner_count=Count("downloads__partner", distinct=True),
    )


def actions_all() -> QuerySet[CollectiveAction]:
    """Every collective action, the most recent first."""
    return CollectiveAction.objects.select_related("commune").order_by("-first_day", "-id")


def action(action_id) -> CollectiveAction | None:
    return CollectiveAction.objects.select_related("commune").filter(pk=action_id).first()


def action_outcomes(action: CollectiveAction) -> QuerySet[ActionOutcome]:
    return (
        ActionOutcome.objects.filter(session__action=action)
        .select_related("session", "household")
        .order_by("session__held_on", "id")
    )


def actions(year: int) -> QuerySet[CollectiveAction]:
    return CollectiveAction.objects.filter(first_day__year=year)


@dataclass(frozen=True)
class ActionReport:
    action: CollectiveAction
    sessions: int
    people_received: int
    outcomes: dict[str, int]  # outcome kind label → count
    households_linked: int


def action_report(action: CollectiveAction) -> ActionReport:
    sessions = list(action.sessions.values_list("people_received", flat=True))
    outcomes: dict[str, int] = {}
    linked = 0
    for kind, household_id in ActionOutcome.objects.filter(session__action=action).values_list(
        "kind", "household_id"
    ):
        label = ActionOutcomeKind(kind).label
        outcomes[label] = outcomes.get(label, 0) + 1
        linked += household_id is not None
    return ActionReport(action, len(sessions), sum(sessions), outcomes, linked)
