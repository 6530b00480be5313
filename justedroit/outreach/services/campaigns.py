"""The non-take-up datamining (« datamining accès aux droits ») and its SMS and phone campaigns.

**Screening.** The whole file is computed with the engine for one month — one dry `month_run`, the
same vectorised computation as the monthly payment, for every household with a claim running — and
each household's *eligible* amounts are compared with what it claims: a benefit with an eligible
amount and no claim is a right not taken up. The prime d'activité comes first, then the RSA,
housing aid and the family benefits (`SCREENED_BENEFITS`).

**Selection criteria** (configurable per campaign, defaults in `Criteria`):
- `benefit`: the benefit the campaign promotes;
- `min_amount`: the engine's monthly estimate is at least this (PPA is not paid below 15 €);
- `data_max_age_months`: the household's latest fact was recorded at most this many months before
  `as_of` — an estimate on stale resources would promise money that is not there;
- `quiet_months`: no campaign contacted the household in the last this many months;
- no open claim (pending) for the benefit — it is being examined already;
- no opt-out (`OptOut`): the household refused unsolicited contacts.

**Comparison group.** When the campaign is planned, a share of the candidates (`comparison_share`,
drawn at random with the campaign's recorded seed) is set aside and never contacted, so that the
effect of contacting is measured against what happens anyway.

**Contact plan.** A candidate with a known mobile number gets an SMS (through the SMS backend of
the notifications, with the STOP keyword); the others go to the phone worklist, with a short
script and an outcome to record. Opt-out is honoured everywhere: at selection, when the SMS leaves
(checked again by the worker), in the phone worklist and when a call is recorded.
"""

import datetime as dt
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from justedroit import rules
from justedroit.core import clock, sending
from justedroit.core.audit import audit_record
from justedroit.core.calendar import months_later
from justedroit.core.models import AuditAction, User
from justedroit.core.phones import mobile_normalize
from justedroit.core.sending import DeliveryStatus, PermanentFailure
from justedroit.entitlements.quarters import quarter_freeze
from justedroit.entitlements.services import month_run
from justedroit.entitlements.situations import situations
from justedroit.outreach.models import (
    CallOutcome,
    Campaign,
    CampaignSms,
    Candidate,
    CandidateGroup,
    ContactChannel,
    OptOut,
    OptOutSource,
)
from justedroit.reception.notifications.backends import sms_backend
from justedroit.registry.models import (
    Claim,
    ClaimStatus,
    ContactKind,
    ContactPoint,
    Fact,
    Household,
)
from justedroit.rules.situation import FRENCH_LABELS

# In the order the Caf's access-to-rights team works them (seed: PPA first).
SCREENED_BENEFITS = ("ppa", "rsa", "aide_logement", "af", "cf", "asf", "paje_base", "ars", "aah")
# The intermediate values kept in a candidate's explanation, by benefit (prefixes of
# `rules.explain.INTERMEDIATES` keys).
EXPLAINING = {
    "ppa": ("ppa_",),
    "rsa": ("rsa_",),
    "aide_logement": ("aide_logement_",),
    "af": ("af_", "prestations_familiales_"),
    "cf": ("prestations_familiales_",),
    "paje_base": ("prestations_familiales_",),
}
INBOUND_PER_REQUEST = 1_000
STOP_WORDS = frozenset({"STOP", "STOP SMS", "ARRET", "ARRÊT"})
SMS_STOP_NOTICE = "STOP au 38600 pour ne plus être sollicité"
OPTED_OUT = "Le foyer a refusé les sollicitations de la Caf : aucun contact."


@dataclass(frozen=True)
class Criteria:
    """A campaign's selection criteria (module docstring); the defaults are the Caf's."""

    benefit: str = "ppa"
    min_amount: Decimal = Decimal("15.00")
    data_max_age_months: int = 6
    quiet_months: int = 12
    comparison_share: Decimal = Decimal("0.100")

    def check(self) -> None:
        if self.benefit not in SCREENED_BENEFITS:
            raise ValidationError(f"Prestation inconnue ou non criblée : « {self.benefit} ».")
        if self.min_amount < 0:
            raise ValidationError("Montant minimal : positif ou nul.")
        if not 1 <= self.data_max_age_months <= 36:
            raise ValidationError("Ancienneté des données : entre 1 et 36 mois.")
        if not 0 <= self.quiet_months <= 60:
            raise ValidationError("Délai sans contact : entre 0 et 60 mois.")
        if not Decimal("0") <= self.comparison_share < Decimal("0.5"):
            raise ValidationError("Part du groupe de comparaison : entre 0 et 0,5 (exclu).")


@dataclass
class Screening:
    """The unclaimed rights the engine found for one month: household number → benefit → the
    eligible monthly amount, with the households computed and the engine's input errors."""

    month: dt.date
    as_of: dt.datetime
    computed: int = 0
    errors: int = 0
    unclaimed: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    seconds: float = 0.0


def screen(*, month: dt.date, as_of: dt.datetime, workers: int | None = None) -> Screening:
    """Whole-file screening: one dry run of the engine over every household with a claim running
    in `month` (nothing written), keeping each household's eligible but unclaimed benefits."""
    started = time.perf_counter()
    run = month_run(month=month, as_of=as_of, wet=False, workers=workers)
    found = Screening(month=month, as_of=as_of, computed=run.computed, errors=len(run.errors))
    for result in run.results:
        unclaimed = {
            benefit: amount
            for benefit, amount in result.amounts.items()
            if amount > 0 and benefit not in result.claims
        }
        if unclaimed:
            found.unclaimed[result.household_id] = unclaimed
    found.seconds = round(time.perf_counter() - started, 3)
    return found


def campaign_plan(
    *,
    name: str,
    month: dt.date,
    criteria: Criteria,
    seed: int,
    acting_user: User | None,
    as_of: dt.datetime | None = None,
    screening: Screening | None = None,
    workers: int | None = None,
) -> Campaign:
    """Screen the file (or reuse `screening`), select the candidates by `criteria`, draw the
    comparison group at random, and plan each contact. Nothing is sent: see `campaign_launch`."""
    criteria.check()
    name = name.strip()
    if not name or len(name) > 200:
        raise ValidationError("Nom de la campagne : obligatoire, 200 caractères au plus.")
    if month.day != 1:
        raise ValidationError("Le mois calculé est le premier jour d'un mois.")
    as_of = as_of or clock.now()
    if screening is None:
        screening = screen(month=month, as_of=as_of, workers=workers)
    elif (screening.month, screening.as_of) != (month, as_of):
        raise ValidationError("Le criblage fourni ne porte pas sur ce mois et cet instant.")
    started = time.perf_counter()
    benefit = criteria.benefit
    amounts = {
        number: found[benefit]
        for number, found in screening.unclaimed.items()
        if benefit in found and found[benefit] >= criteria.min_amount
    }
    excluded = {
        "below_min_amount": sum(
            1
            for found in screening.unclaimed.values()
            if benefit in found and found[benefit] < criteria.min_amount
        )
    }
    ids = dict(Household.objects.filter(number__in=amounts).values_list("number", "id"))
    kept = set(ids.values())
    for reason, dropped in (
        ("open_claim", _with_open_claim(kept, benefit)),
        ("opted_out", _opted_out(kept)),
        ("contacted_recently", _contacted_since(kept, months_later(as_of, -criteria.quiet_months))),
        (
            "data_too_old",
            kept - _data_recent(kept, as_of, months_later(as_of, -criteria.data_max_age_months)),
        ),
    ):
        excluded[reason] = len(kept & dropped)
        kept -= dropped
    number_of = {household_id: number for number, household_id in ids.items()}
    explanations = _explanations(sorted(kept), month, as_of, benefit)
    mobiles = _mobiles(kept)
    order = sorted(kept)
    random.Random(seed).shuffle(order)
    comparison = set(order[: round(len(order) * criteria.comparison_share)])
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name,
            benefit=benefit,
            month=month,
            as_of=as_of,
            min_amount=criteria.min_amount,
            data_max_age_months=criteria.data_max_age_months,
            quiet_months=criteria.quiet_months,
            comparison_share=criteria.comparison_share,
            seed=seed,
            screened=screening.computed,
            excluded=excluded,
            timings={"screening": screening.seconds},
            planned_at=clock.now(),
            planned_by=acting_user,
        )
        Candidate.objects.bulk_create(
            Candidate(
                campaign=campaign,
                household_id=household_id,
                estimated_amount=amounts[number_of[household_id]],
                explanation=explanations[household_id],
                group=CandidateGroup.COMPARISON
                if household_id in comparison
                else CandidateGroup.CONTACTED,
                channel=ContactChannel.SMS if household_id in mobiles else ContactChannel.PHONE,
                mobile=mobiles.get(household_id, ""),
            )
            for household_id in sorted(kept)
        )
        campaign.timings["selection"] = round(time.perf_counter() - started, 3)
        campaign.save(update_fields=["timings"])
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE,
            obj=campaign,
            reason=f"Campagne d'accès aux droits planifiée : {name}",
            detail={
                "benefit": benefit,
                "month": f"{month:%Y-%m}",
                "candidates": len(kept),
                "comparison": len(comparison),
                "excluded": excluded,
            },
        )
    return campaign


def _with_open_claim(ids: set[int], benefit: str) -> set[int]:
    return set(
        Claim.objects.filter(
            household_id__in=ids, benefit=benefit, status=ClaimStatus.PENDING
        ).values_list("household_id", flat=True)
    )


def _opted_out(ids: set[int]) -> set[int]:
    return set(OptOut.objects.filter(household_id__in=ids).values_list("household_id", flat=True))


def _contacted_since(ids: set[int], since: dt.datetime) -> set[int]:
    return set(
        Candidate.objects.filter(household_id__in=ids, contacted_at__gte=since).values_list(
            "household_id", flat=True
        )
    )


def _data_recent(ids: set[int], as_of: dt.datetime, since: dt.datetime) -> set[int]:
    """Households whose latest fact known at `as_of` was recorded at `since` or later."""
    latest = (
        Fact.objects.filter(household_id__in=ids, recorded_at__lte=as_of)
        .values("household_id")
        .annotate(latest=Max("recorded_at"))
        .filter(latest__gte=since)
    )
    return {row["household_id"] for row in latest}


def _mobiles(ids: set[int]) -> dict[int, str]:
    """The mobile number each household gave (verified ones first, then the latest)."""
    found: dict[int, str] = {}
    for household_id, value in (
        ContactPoint.objects.filter(household_id__in=ids, kind=ContactKind.MOBILE)
        .order_by("household_id", "-verified", "-recorded_at")
        .values_list("household_id", "value")
    ):
        found.setdefault(household_id, value)
    return found


def _explanations(ids: list[int], month: dt.date, as_of: dt.datetime, benefit: str) -> dict:
    """The engine's explanation of each candidate's estimate: every amount it computed and the
    intermediate values behind the benefit — one vectorised computation for all candidates."""
    if not ids:
        return {}
    inputs, ids_by_number = situations(month=month, as_of=as_of, household_ids=ids)
    results, errors = rules.compute_month(inputs, month, with_intermediates=True)
    # The amounts the screening's payment run found: RSA and prime d'activité as quarterly rights.
    results = quarter_freeze(
        results,
        {h.id: h for h in inputs},
        month,
        as_of=as_of,
        ids_by_number=ids_by_number,
        with_intermediates=True,
    )
    prefixes = EXPLAINING.get(benefit, (f"{benefit}_",))
    explained: dict[int, dict] = defaultdict(dict)
    for result in results:
        explained[ids_by_number[result.household_id]] = {
            "month": f"{month:%Y-%m}",
            "as_of": as_of.isoformat(),
            "versions": rules.versions(),
            "claims": sorted(result.claims),
            "eligible": {b: str(a) for b, a in result.amounts.items() if a > 0},
            "intermediates": {
                key: str(value)
                for key, value in sorted(result.intermediates.items())
                if key.startswith(prefixes)
            },
            "text": explanation_text(benefit, result.amounts[benefit], month),
        }
    for error in errors:
        explained[ids_by_number[error.household_id]] = {"error": error.message_fr}
    return explained


def explanation_text(benefit: str, amount: Decimal, month: dt.date) -> str:
    return (
        f"D'après ce que la Caf sait de votre situation, vous pourriez recevoir environ "
        f"{amount:.0f} € par mois de {FRENCH_LABELS[benefit]} (calcul pour {month:%m/%Y}), "
        "sans l'avoir demandée."
    )


# ---- contacts -----------------------------------------------------------------------------------
def sms_text(candidate: Candidate) -> str:
    label = FRENCH_LABELS[candidate.campaign.benefit]
    return (
        f"Caf de la Vienne : vous pourriez avoir droit à la {label} "
        f"(environ {candidate.estimated_amount:.0f} €/mois). Demande en 1 clic dans Mon dossier, "
        f"rubrique Mes droits, ou au 3230. {SMS_STOP_NOTICE}."
    )


CALL_SCRIPT = (
    "1. Se présenter : « Bonjour, je vous appelle de la Caf de la Vienne. » Vérifier l'identité "
    "(nom, date de naissance).\n"
    "2. « D'après votre dossier, vous pourriez avoir droit à la {label}, environ {amount} € par "
    "mois. Vous ne l'avez pas demandée. »\n"
    "3. Proposer la demande : en ligne (Mon dossier, rubrique Mes droits : la demande est "
    "pré-remplie), ou un rendez-vous.\n"
    "4. Si la personne ne souhaite plus être sollicitée : le noter (résultat « ne veut plus être "
    "sollicité »), elle ne sera plus contactée.\n"
    "5. Noter le résultat de l'appel."
)


def call_script(candidate: Candidate) -> str:
    return CALL_SCRIPT.format(
        label=FRENCH_LABELS[candidate.campaign.benefit],
        amount=f"{candidate.estimated_amount:.0f}",
    )


def campaign_launch(*, campaign: Campaign, acting_user: User | None) -> int:
    """Queue the SMS of the candidates to contact by SMS (not those who opted out since); the
    others wait in the phone worklist. Run again, it queues nothing twice. Returns the SMS
    queued."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        due = list(
            Candidate.objects.select_related("campaign")
            .filter(
                campaign=campaign,
                group=CandidateGroup.CONTACTED,
                channel=ContactChannel.SMS,
                sms__isnull=True,
            )
            .exclude(household__outreach_opt_out__isnull=False)
        )
        now = clock.now()
        for candidate in due:
            sms = CampaignSms.objects.create(
                candidate=candidate,
                recipient=candidate.mobile,
                text=sms_text(candidate),
                created_at=now,
                status=DeliveryStatus.QUEUED,
                queued_at=now,
            )
            sending.send_after_commit(sms)
        if campaign.launched_at is None:
            campaign.launched_at = now
            campaign.save(update_fields=["launched_at"])
        audit_record(
            actor=acting_user,
            action=AuditAction.UPDATE,
            obj=campaign,
            reason="Campagne lancée : SMS mis en file d'envoi",
            detail={"sms": len(due)},
        )
    return len(due)


def sms_transmit(sms: CampaignSms) -> dict:
    """Send one campaign SMS (run by the worker): never to a household that opted out."""
    if OptOut.objects.filter(household_id=sms.candidate.household_id).exists():
        raise PermanentFailure(OPTED_OUT)
    result = sms_backend().send(to=sms.recipient, text=sms.text)
    if not result.ok:
        raise RuntimeError(result.error or "refusé par le prestataire")
    return {"provider_id": result.provider_id}


def sms_on_status(sms: CampaignSms) -> None:
    """The candidate counts as contacted once its SMS has left. The change is audited like an
    agent's call, which also tells the report's cache that its contact counts moved."""
    if sms.status != DeliveryStatus.SENT or sms.sent_at is None:
        return
    contacted = Candidate.objects.filter(pk=sms.candidate_id, contacted_at__isnull=True).update(
        contacted_at=sms.sent_at
    )
    if contacted:
        audit_record(
            actor=None,
            action=AuditAction.UPDATE,
            household_number=sms.candidate.household.number,
            obj=sms.candidate,
            reason="accès aux droits : contacté par SMS",
            detail={"sms": sms.pk},
        )


def sms_check_retry(sms: CampaignSms) -> None:
    if OptOut.objects.filter(household_id=sms.candidate.household_id).exists():
        raise ValidationError(OPTED_OUT)


def sms_describe(sms: CampaignSms) -> sending.Description:
    return sending.Description(
        what=f"SMS de la campagne « {sms.candidate.campaign.name} »",
        recipient=sms.recipient,
        household_number=sms.candidate.household.number,
    )


def call_record(*, candidate: Candidate, outcome: str, acting_user: User | None) -> Candidate:
    """An agent records the outcome of a call to a candidate of the phone worklist."""
    if outcome not in CallOutcome.values:
        raise ValidationError("Résultat de l'appel inconnu.")
    with transaction.atomic():
        candidate = (
            Candidate.objects.select_for_update()
            .select_related("household", "campaign")
            .get(pk=candidate.pk)
        )
        if candidate.group != CandidateGroup.CONTACTED:
            raise ValidationError(
                "Ce foyer est dans le groupe de comparaison : il n'est pas appelé."
            )
        if OptOut.objects.filter(household=candidate.household).exists():
            raise ValidationError(OPTED_OUT)
        if candidate.call_outcome:
            raise ValidationError("Le résultat de cet appel est déjà enregistré.")
        candidate.call_outcome = outcome
        candidate.called_by = acting_user
        candidate.contacted_at = candidate.contacted_at or clock.now()
        candidate.save(update_fields=["call_outcome", "called_by", "contacted_at"])
        audit_record(
            actor=acting_user,
            action=AuditAction.UPDATE,
            household_number=candidate.household.number,
            obj=candidate,
            reason=f"Appel de la campagne « {candidate.campaign.name} »",
            detail={"outcome": outcome},
        )
        if outcome == CallOutcome.OPTED_OUT:
            opt_out_record(
                household=candidate.household, source=OptOutSource.PHONE, acting_user=acting_user
            )
    return candidate


# ---- opt-out ------------------------------------------------------------------------------------
def opt_out_record(*, household: Household, source: str, acting_user: User | None) -> OptOut:
    """The household refuses unsolicited contacts from now on (recorded once; audited)."""
    if source not in OptOutSource.values:
        raise ValidationError("Origine du refus inconnue.")
    with transaction.atomic():
        opt_out, created = OptOut.objects.get_or_create(
            household=household,
            defaults={"source": source, "recorded_at": clock.now(), "recorded_by": acting_user},
        )
        if created:
            audit_record(
                actor=acting_user,
                action=AuditAction.CREATE,
                household_number=household.number,
                obj=opt_out,
                reason="Refus des sollicitations de la Caf",
                detail={"source": source},
            )
    return opt_out


def opt_out_withdraw(*, household: Household, acting_user: User) -> bool:
    """The allocataire accepts the Caf's contacts again (from the portal)."""
    with transaction.atomic():
        opt_out = OptOut.objects.filter(household=household).first()
        if opt_out is None:
            return False
        audit_record(
            actor=acting_user,
            action=AuditAction.UPDATE,
            household_number=household.number,
            obj=opt_out,
            reason="Accepte de nouveau les sollicitations de la Caf",
            detail={"source": opt_out.source, "recorded_at": opt_out.recorded_at.isoformat()},
        )
        opt_out.delete()
    return True


def sms_inbound(*, sender: str, text: str) -> int:
    """An SMS received by the Caf's number: « STOP » (or « ARRET ») opts out every household that
    gave this mobile number. Anything else is ignored. Returns the households opted out."""
    if " ".join(text.upper().split()) not in STOP_WORDS:
        return 0
    try:
        number = mobile_normalize(sender)
    except ValidationError:
        return 0
    households = Household.objects.filter(
        contact_points__kind=ContactKind.MOBILE, contact_points__value=number
    ).distinct()
    for household in households:
        opt_out_record(household=household, source=OptOutSource.SMS_STOP, acting_user=None)
    return len(households)
