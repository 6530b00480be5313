"""Writes of the quality domain: teams, verification plans and their draws, reviews.

Each service is atomic and writes its audit row in the same transaction; bad input raises
ValidationError with a French message and writes nothing."""

import datetime as dt
import math
import secrets
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from justedroit.core import clock
from justedroit.core.audit import audit_record
from justedroit.core.models import AuditAction, User
from justedroit.core.roles import Role
from justedroit.entitlements.models import AdjustmentKind, Payment
from justedroit.entitlements.services import household_recompute
from justedroit.quality import perms, sampling, selectors
from justedroit.quality.models import (
    ActionKind,
    ErrorNature,
    ErrorOrigin,
    Method,
    Process,
    ProcessIndicator,
    QualityAction,
    Review,
    SampleItem,
    SamplingPlan,
    Stratum,
    TargetChange,
    Team,
    TeamMembership,
)
from justedroit.registry.models import FactSource, Person
from justedroit.registry.services import fact_record

ZERO = Decimal("0.00")


def team_join(*, team_name: str, agent: User, start_date: dt.date, acting_user: User | None):
    """Put an agent in a team from `start_date`, closing their current membership."""
    if not agent.is_agent:
        raise ValidationError("Seul un agent de la Caf fait partie d'une équipe.")
    if not team_name.strip():
        raise ValidationError("Nommez l'équipe.")
    with transaction.atomic():
        team, _ = Team.objects.get_or_create(name=team_name.strip())
        current = (
            TeamMembership.objects.select_for_update()
            .filter(agent=agent, end_date__isnull=True)
            .first()
        )
        if current is not None:
            if current.start_date >= start_date:
                raise ValidationError("L'agent a déjà rejoint une équipe à cette date ou après.")
            current.end_date = start_date
            current.save(update_fields=["end_date"])
        membership = TeamMembership.objects.create(team=team, agent=agent, start_date=start_date)
        audit_record(
            actor=acting_user,
            action=AuditAction.UPDATE,
            obj=membership,
            reason="affectation à une équipe",
            detail={"agent": agent.username, "team": team.name},
        )
    return membership


@dataclass(frozen=True)
class PlanInput:
    name: str
    period_start: dt.date
    period_end: dt.date
    method: str
    stratify_by: str = ""
    confidence: Decimal = Decimal("0.95")
    expected_rate: Decimal = Decimal("0.06")
    margin: Decimal = Decimal("0.02")
    size: int | None = None  # None: computed from the precision (or the discovery rule)
    seed: int | None = None  # None: a fresh random seed, recorded
    agent: User | None = None  # supervision: only this agent's acts


def plan_size(plan: PlanInput, population: int) -> int:
    """The plan's sample size: given, or from the wanted precision with the finite-population
    correction, or a discovery sample (tolerable rate = `expected_rate`)."""
    if plan.size is not None:
        if plan.size < 1:
            raise ValidationError("La taille de l'échantillon est d'au moins un acte.")
        return min(plan.size, population)
    try:
        if plan.method == Method.DISCOVERY:
            size = sampling.discovery_size(
                tolerable_rate=float(plan.expected_rate), confidence=float(plan.confidence)
            )
            return min(size, population)
        return sampling.sample_size(
            expected_rate=float(plan.expected_rate),
            margin=float(plan.margin),
            population=population,
            confidence=float(plan.confidence),
        )
    except ValueError as error:
        raise ValidationError(str(error)) from error


def _draw(plan: PlanInput, frame: selectors.Frame, n: int, rng: np.random.Generator):
    if plan.method in (Method.SIMPLE, Method.DISCOVERY):
        draw = sampling.srs(len(frame), n, rng)
        return draw, draw.probabilities
    if plan.method == Method.STRATIFIED:
        strata = frame.strata(plan.stratify_by)
        # Neyman: n_h ∝ N_h S_h, S_h the spread of the € at stake in the stratum (the € in error
        # is not known before the review; it grows with the € at stake).
        measure = frame.size_measure()
        spreads = {
            key: float(np.std(measure[strata == key])) or 1.0 for key in set(strata.tolist())
        }
        draw = sampling.stratified(strata, n, rng, spreads)
        return draw, draw.probabilities
    draw = sampling.pps(frame.size_measure(), n, rng)
    return draw, np.zeros(len(draw.positions))


def plan_draw(*, plan: PlanInput, acting_user: User) -> SamplingPlan:
    """Draw a verification sample of the acts processed in the plan's period and store it: the
    plan (with its seed: the same seed on the same acts draws the same sample) and each act with
    its stratum and inclusion probability."""
    if plan.method not in Method.values:
        raise ValidationError(f"Méthode inconnue « {plan.method} ».")
    if plan.method == Method.STRATIFIED and plan.stratify_by not in Stratum.values:
        raise ValidationError("Choisissez les strates : prestation, équipe ou risque.")
    if plan.method != Method.STRATIFIED and plan.stratify_by:
        raise ValidationError("Seul un plan stratifié a des strates.")
    if plan.period_end <= plan.period_start:
        raise ValidationError("La fin de la période doit suivre son début.")
    if not plan.name.strip():
        raise ValidationError("Donnez un libellé au plan.")
    frame = selectors.frame(plan.period_start, plan.period_end, agent=plan.agent)
    if len(frame) == 0:
        raise ValidationError("Aucun acte de traitement sur cette période : rien à tirer.")
    n = plan_size(plan, len(frame))
    seed = plan.seed if plan.seed is not None else secrets.randbits(62)
    draw, fractions = _draw(plan, frame, n, np.random.default_rng(seed))
    measure = frame.size_measure()
    with transaction.atomic():
        stored = SamplingPlan.objects.create(
            name=plan.name.strip(),
            period_start=plan.period_start,
            period_end=plan.period_end,
            method=plan.method,
            stratify_by=plan.stratify_by,
            confidence=plan.confidence,
            expected_rate=plan.expected_rate,
            margin=plan.margin,
            population=len(frame),
            size=len(draw.positions),
            seed=seed,
            agent=plan.agent,
            created_by=acting_user,
            created_at=clock.now(),
        )
        SampleItem.objects.bulk_create(
            SampleItem(
                plan=stored,
                act_id=int(frame.act_ids[position]),
                stratum=str(stratum),
                probability=_decimal(probability),
                fraction=_decimal(fraction),
                amount=Decimal(str(round(float(measure[position]), 2))),
            )
            for position, probability, stratum, fraction in zip(
                draw.positions, draw.probabilities, draw.strata, fractions, strict=True
            )
        )
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE,
            obj=stored,
            reason="tirage d'un échantillon de vérification",
            detail={"method": plan.method, "size": stored.size, "seed": seed},
        )
    return stored


def _decimal(probability: float) -> Decimal:
    return Decimal(f"{float(probability):.12f}")


@dataclass(frozen=True)
class Correction:
    """A corrected fact the verifier records: the engine recomputes the months it bears on."""

    kind: str
    valid_from: dt.date
    valid_until: dt.date | None
    person: Person | None = None
    amount: Decimal | None = None
    code: str = ""


def review_record(
    *,
    item: SampleItem,
    in_error: bool,
    acting_user: User,
    nature: str = "",
    origin: str = "",
    financial: bool = False,
    impact: Decimal | None = None,
    corrections: list[Correction] | None = None,
    note: str = "",
) -> Review:
    """Record the review of a sampled act. With corrected facts, they are recorded (source
    « saisie d'un agent ») and the engine recomputes the household's paid months from the
    earliest of them: the € impact is then the sum of the rappels and indus it computes, not a
    figure typed in. Without, a financial error's impact is the one given."""
    if in_error:
        if nature not in ErrorNature.values:
            raise ValidationError("Indiquez la nature de l'erreur.")
        if origin not in ErrorOrigin.values:
            raise ValidationError("Indiquez l'origine de l'erreur : allocataire, agent ou système.")
    elif nature or origin or financial or impact or corrections:
        raise ValidationError("Un acte sans erreur n'a ni nature, ni origine, ni incidence.")
    if impact is not None and (not math.isfinite(impact) or impact < 0):
        raise ValidationError("L'incidence est un montant positif (valeur absolue).")
    with transaction.atomic():
        item = (
            SampleItem.objects.select_for_update().select_related("act__household").get(pk=item.pk)
        )
        if Review.objects.filter(item=item).exists():
            raise ValidationError("Cet acte est déjà vérifié.")
        recomputed: dict = {}
        if corrections:
            impact, recomputed = _recompute_with(item, corrections, acting_user)
            financial = impact > 0
        review = Review.objects.create(
            item=item,
            reviewer=acting_user,
            reviewed_at=clock.now(),
            in_error=in_error,
            nature=nature if in_error else "",
            origin=origin if in_error else "",
            financial=financial and in_error,
            impact=(impact or ZERO) if financial and in_error else ZERO,
            recomputed=recomputed,
            note=note[:500],
        )
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE,
            household_number=item.act.household.number,
            obj=review,
            reason="vérification d'un acte de traitement",
            detail={"in_error": in_error, "impact": str(review.impact)},
        )
    return review


def _recompute_with(item: SampleItem, corrections: list[Correction], acting_user: User):
    household = item.act.household
    reason = f"vérification (plan n° {item.plan_id}, acte n° {item.act_id})"
    for correction in corrections:
        fact_record(
            household=household,
            person=correction.person,
            kind=correction.kind,
            valid_from=correction.valid_from,
            valid_until=correction.valid_until,
            amount=correction.amount,
            code=correction.code,
            source=FactSource.AGENT,
            acting_user=acting_user,
            reason=reason,
        )
    first = min(c.valid_from for c in corrections)
    last = (
        Payment.objects.filter(household=household)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
    if last is None or last < first:
        return ZERO, {"months": [], "adjustments": []}
    adjustments = household_recompute(
        household=household,
        first_month=first,
        last_month=last,
        acting_user=acting_user,
        reason=reason,
    )
    impact = sum((a.amount for a in adjustments), ZERO)
    return impact, {
        "months": [f"{first:%Y-%m}", f"{last:%Y-%m}"],
        "adjustments": [
            {
                "benefit": a.benefit,
                "month": f"{a.month:%Y-%m}",
                "kind": a.kind,
                "amount": str(a.amount if a.kind == AdjustmentKind.ARREARS else -a.amount),
            }
            for a in adjustments
        ],
    }


def quality_action_open(
    *,
    kind: str,
    title: str,
    owner: User,
    due_date: dt.date,
    acting_user: User,
    agent: User | None = None,
    team: Team | None = None,
    process: Process | None = None,
) -> QualityAction:
    """Open a quality action (training, written procedure, quality circle, support), or an
    action plan of a DQI process."""
    if kind not in ActionKind.values:
        raise ValidationError(f"Nature d'action inconnue « {kind} ».")
    if not title.strip():
        raise ValidationError("Donnez un intitulé à l'action.")
    if due_date < clock.today():
        raise ValidationError("L'échéance est passée.")
    if not owner.is_agent:
        raise ValidationError("Le responsable de l'action est un agent de la Caf.")
    with transaction.atomic():
        action = QualityAction.objects.create(
            kind=kind,
            title=title.strip(),
            agent=agent,
            team=team,
            process=process,
            owner=owner,
            due_date=due_date,
            opened_at=clock.now(),
            opened_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE,
            obj=action,
            reason="action qualité ouverte",
            detail={"kind": kind, "owner": owner.username},
        )
    return action


def quality_action_close(*, action: QualityAction, note: str, acting_user: User) -> QualityAction:
    """Close an action with its outcome (what was done, what changed)."""
    if not note.strip():
        raise ValidationError("Indiquez le bilan de l'action.")
    with transaction.atomic():
        action = QualityAction.objects.select_for_update().get(pk=action.pk)
        if action.closed_at is not None:
            raise ValidationError("Cette action est déjà close.")
        action.closed_at, action.closing_note = clock.now(), note.strip()[:500]
        action.save(update_fields=["closed_at", "closing_note"])
        audit_record(
            actor=acting_user, action=AuditAction.UPDATE, obj=action, reason="action qualité close"
        )
    return action


def process_pilot_assign(*, process: Process, pilot: User, acting_user: User) -> Process:
    """Name the local pilot of a DQI process (an agent with the process pilot role)."""
    if not pilot.is_active or pilot.role != Role.PROCESS_PILOT:
        raise ValidationError("Le pilote d'un processus a le rôle « Pilote de processus ».")
    with transaction.atomic():
        process.pilot = pilot
        process.save(update_fields=["pilot"])
        audit_record(
            actor=acting_user,
            action=AuditAction.UPDATE,
            obj=process,
            reason="pilote de processus nommé",
            detail={"pilot": pilot.username},
        )
    return process


# The largest target the column holds (14 digits, 2 of them decimals).
TARGET_CEILING = Decimal("999999999999.99")


def _target_checked(target: Decimal, unit: str) -> Decimal:
    """A finite, non-negative figure with at most two decimals, at most 100 for a rate. The
    errors name the field they are about (`target`), so that a form shows them next to it."""
    if not target.is_finite():
        raise ValidationError({"target": "La cible est un nombre."})
    if target != target.quantize(Decimal("0.01")):
        raise ValidationError({"target": "La cible a au plus deux décimales."})
    if target < 0:
        raise ValidationError({"target": "La cible est un nombre positif ou nul."})
    if unit == "%" and target > 100:
        raise ValidationError(
            {"target": "Cet indicateur est un pourcentage : la cible est entre 0 et 100."}
        )
    if target > TARGET_CEILING:
        raise ValidationError({"target": "La cible est trop grande."})
    return target.quantize(Decimal("0.01"))


def indicator_target_set(
    *, indicator: ProcessIndicator, target: Decimal | None, source: str, acting_user: User
) -> ProcessIndicator:
    """Set (or, with no target, clear) the target of a process's indicator: its pilot or the
    direction only; a target needs its source (a COG, a contract, a decision of the direction).
    The change is kept in the target's history (`TargetChange`, written once) and audited with
    the old and the new target, in the same transaction."""
    source = source.strip()
    declared = selectors.declared_indicator(indicator.code)
    if declared is None:
        raise ValidationError(f"Indicateur « {indicator.code} » inconnu du registre.")
    if target is not None:
        target = _target_checked(target, declared.unit)
        if not source:
            raise ValidationError(
                {"target_source": "Indiquez la source de la cible (COG, contrat, décision…)."}
            )
    else:
        source = ""
    if len(source) > 200:
        raise ValidationError({"target_source": "La source de la cible tient en 200 caractères."})
    with transaction.atomic():
        binding = (
            ProcessIndicator.objects.select_for_update()
            .select_related("process")
            .get(pk=indicator.pk)
        )
        if not perms.can_set_targets(acting_user, binding.process):
            raise PermissionDenied(
                "Seuls le pilote du processus et la direction fixent ses cibles."
            )
        old = (binding.target, binding.target_source)
        if old == (target, source):
            raise ValidationError("La cible et sa source sont inchangées.")
        binding.target, binding.target_source = target, source
        binding.save(update_fields=["target", "target_source"])
        TargetChange.objects.create(
            indicator=binding,
            target=target,
            target_source=source,
            previous_target=old[0],
            previous_source=old[1],
            changed_by=acting_user,
            changed_at=clock.now(),
        )
        audit_record(
            actor=acting_user,
            action=AuditAction.UPDATE,
            obj=binding,
            reason="cible d'indicateur fixée"
            if target is not None
            else "cible d'indicateur retirée",
            detail={
                "process": binding.process.code,
                "indicator": binding.code,
                "old": {"target": _text(old[0]), "source": old[1]},
                "new": {"target": _text(target), "source": source},
            },
        )
    return binding


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
