"""Targeting of document and on-site controls (docs/ciblage.md): the year's random control
sample, the training of a model version on its outcomes, the scores of the covered households,
and the decision a person takes on a scored household — the score only advises."""

import datetime as dt
from decimal import Decimal

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction

from justedroit.controls.features import feature_rows
from justedroit.controls.models import (
    Control,
    ControlKind,
    ControlOrigin,
    RandomSample,
    TargetingDecision,
    TargetingDecisionKind,
    TargetingModel,
    TargetingScore,
)
from justedroit.controls.selectors import training_set
from justedroit.controls.services.common import control_open, open_controls
from justedroit.controls.targeting import FEATURE_NAMES, RIDGE_PENALTY, fit, probabilities
from justedroit.core import clock
from justedroit.core.audit import audit_record
from justedroit.core.models import AuditAction, User
from justedroit.core.roles import Role
from justedroit.registry.models import Household
from justedroit.registry.selectors import households_covered_on

TARGETABLE = (ControlKind.DOCUMENTS, ControlKind.ON_SITE)
# Hypothesis: about 2.5 % of the twin's households each year, enough closed controls (and
# material indus among them) to estimate 8 parameters; the Cnaf's national random sample of the
# « paiement à bon droit » survey is about 7,000 files.
DEFAULT_SAMPLE_SIZE = 300
MIN_TRAINING = 30
SCORE_CHUNK = 2_000
DECIDERS = frozenset({Role.CONTROLLER, Role.MANAGER})


def random_sample_draw(
    *,
    year: int,
    size: int = DEFAULT_SAMPLE_SIZE,
    kind: str = ControlKind.DOCUMENTS,
    seed: int,
    acting_user: User | None,
    reference_day: dt.date | None = None,
) -> RandomSample:
    """Draw the year's random sample among the households covered on the reference day (1
    January by default), with `seed` recorded so the draw can be replayed, and open a control of
    origin « échantillon aléatoire » for each. Once a year: drawing again returns the sample."""
    if kind not in TARGETABLE:
        raise ValidationError(
            "L'échantillon aléatoire porte sur des contrôles sur pièces ou sur place."
        )
    if size <= 0:
        raise ValidationError("La taille de l'échantillon doit être positive.")
    existing = RandomSample.objects.filter(year=year).first()
    if existing is not None:
        if existing.seed != seed:
            raise ValidationError(
                f"L'échantillon {year} est déjà tiré (graine {existing.seed}) : "
                "on ne le tire pas une seconde fois."
            )
        return existing
    reference_day = reference_day or dt.date(year, 1, 1)
    population = sorted(households_covered_on(reference_day).values_list("pk", flat=True))
    if not population:
        raise ValidationError(f"Aucun foyer allocataire au {reference_day:%d/%m/%Y}.")
    rng = np.random.default_rng(seed)
    drawn = rng.choice(population, size=min(size, len(population)), replace=False)
    chosen = sorted(int(h) for h in drawn)
    with transaction.atomic():
        sample = RandomSample.objects.create(
            year=year,
            kind=kind,
            seed=seed,
            reference_day=reference_day,
            population=len(population),
            drawn_at=clock.now(),
            drawn_by=acting_user,
        )
        households = Household.objects.in_bulk(chosen)
        controls = [
            control_open(
                household=households[hid],
                kind=kind,
                origin=ControlOrigin.RANDOM_SAMPLE,
                acting_user=acting_user,
                reason=f"Échantillon aléatoire {year} (tirage n° {sample.pk}, graine {seed})",
            )
            for hid in chosen
        ]
        sample.controls.add(*controls)
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE,
            households=[households[hid].number for hid in chosen],
            obj=sample,
            reason=f"échantillon aléatoire de contrôle {year}",
            detail={"seed": seed, "population": len(population), "size": len(chosen)},
        )
    return sample


def targeting_model_train(
    *, year: int, acting_user: User | None, penalty: float = RIDGE_PENALTY
) -> TargetingModel:
    """Fit the model on the outcomes of year `year`'s random sample and store the version."""
    sample = RandomSample.objects.filter(year=year).first()
    if sample is None:
        raise ValidationError(f"Aucun échantillon aléatoire pour {year} : tirez-le d'abord.")
    ids, rows, labels = training_set(sample)
    positives = sum(labels)
    if len(ids) < MIN_TRAINING:
        raise ValidationError(
            f"{len(ids)} contrôles clos dans l'échantillon {year} : il en faut {MIN_TRAINING}."
        )
    if positives in (0, len(ids)):
        raise ValidationError(
            "L'échantillon doit compter des contrôles avec et sans indu important."
        )
    x = np.array([[rows[hid][name] for name in FEATURE_NAMES] for hid in ids])
    result = fit(x, np.array(labels, dtype=float), penalty=penalty)
    with transaction.atomic():
        model = TargetingModel.objects.create(
            trained_at=clock.now(),
            trained_by=acting_user,
            sample=sample,
            features=list(FEATURE_NAMES),
            intercept=Decimal(f"{result.intercept:.8f}"),
            coefficients=dict(zip(FEATURE_NAMES, result.coefficients, strict=True)),
            standard_errors=dict(
                zip(("intercept", *FEATURE_NAMES), result.standard_errors, strict=True)
            ),
            training_size=len(ids),
            positives=positives,
            penalty=Decimal(str(penalty)),
        )
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE,
            obj=model,
            reason=f"modèle de ciblage entraîné sur l'échantillon {year}",
            detail={"training_size": len(ids), "positives": positives},
        )
    return model


def targeting_scores_compute(
    *, model: TargetingModel, acting_user: User | None, as_of: dt.datetime | None = None
) -> int:
    """Score every household covered at `as_of` (now by default) with this model version; the
    scores already computed for that instant are kept. Returns the number of new scores."""
    as_of = as_of or clock.now()
    day = as_of.astimezone(clock.PARIS).date()
    covered = list(households_covered_on(day).values_list("pk", "number"))
    done = set(
        TargetingScore.objects.filter(model=model, as_of=as_of).values_list(
            "household_id", flat=True
        )
    )
    todo = [(pk, number) for pk, number in covered if pk not in done]
    features = list(model.features)
    coefficients = [model.coefficients[name] for name in features]
    with transaction.atomic():
        now = clock.now()
        for start in range(0, len(todo), SCORE_CHUNK):
            chunk = [pk for pk, _ in todo[start : start + SCORE_CHUNK]]
            rows = feature_rows(chunk, as_of)
            x = np.array([[rows[hid][name] for name in features] for hid in chunk])
            scores = probabilities(float(model.intercept), coefficients, x)
            TargetingScore.objects.bulk_create(
                TargetingScore(
                    model=model,
                    household_id=hid,
                    computed_at=now,
                    as_of=as_of,
                    values=rows[hid],
                    score=Decimal(f"{score:.8f}"),
                )
                for hid, score in zip(chunk, scores, strict=True)
            )
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE,
            households=[number for _, number in todo],
            obj=model,
            reason="scores de ciblage (aide à la sélection des contrôles)",
            detail={"as_of": as_of.isoformat(), "scored": len(todo)},
        )
    return len(todo)


def targeting_decide(
    *,
    score: TargetingScore,
    decision: str,
    acting_user: User,
    kind: str = ControlKind.DOCUMENTS,
    reason: str = "",
) -> TargetingDecision:
    """A person's decision on a scored household: open a control (origin « ciblage ») or set the
    household aside, with a reason. The score, each variable's value and the model are copied on
    the decision: the control file explains why the household was selected."""
    if acting_user is None or not acting_user.is_active or acting_user.role not in DECIDERS:
        raise ValidationError("Seul un contrôleur ou un responsable décide d'un contrôle.")
    reason = reason.strip()
    if decision == TargetingDecisionKind.SET_ASIDE and not reason:
        raise ValidationError("Indiquez pourquoi ce foyer est écarté.")
    if decision not in TargetingDecisionKind.values or kind not in TARGETABLE:
        raise ValidationError("Décision ou nature de contrôle inconnue.")
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=score.household_id)
        if TargetingDecision.objects.filter(
            model=score.model_id, household=household, scored_as_of=score.as_of
        ).exists():
            raise ValidationError("Une décision a déjà été prise pour ce foyer sur cette liste.")
        control: Control | None = None
        if decision == TargetingDecisionKind.SELECTED:
            if open_controls(household).exists():
                raise ValidationError(
                    "Ce foyer a déjà un contrôle sur pièces ou sur place en cours."
                )
            control = control_open(
                household=household,
                kind=kind,
                origin=ControlOrigin.TARGETING,
                acting_user=acting_user,
                reason=(
                    f"Ciblage : modèle v{score.model_id}, score {100 * score.score:.1f} %"
                    + (f" — {reason}" if reason else "")
                ),
            )
        made = TargetingDecision.objects.create(
            household=household,
            model_id=score.model_id,
            score=score.score,
            scored_as_of=score.as_of,
            values=score.values,
            decision=decision,
            control=control,
            reason=reason[:300],
            decided_at=clock.now(),
            decided_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE,
            household_number=household.number,
            obj=made,
            reason=f"décision de ciblage : {made.get_decision_display().lower()}",
            detail={"score": str(score.score), "model": score.model_id, "control": made.control_id},
        )
    return made
