"""Quality-of-processing indicators: the agents' processing acts of the year and the IQL-style
index of the year's latest verification plan. Reference values (not the Caf de la Vienne's):
a Caf reported IQL 0 = 94 % for 2022 (INDICATORS.md)."""

import datetime as dt
from decimal import Decimal

from justedroit.core.indicators import (
    Interval,
    counting,
    indicator,
    shared_within_report,
    with_interval,
)
from justedroit.quality import selectors
from justedroit.quality.estimators import Estimate


def _acts(year: int):
    return selectors.acts_in(dt.date(year, 1, 1), dt.date(year + 1, 1, 1))


processing_acts = counting(
    _acts,
    "at",
    code="quality_processing_acts",
    label="Actes de traitement des agents",
    unit="actes",
    definition=(
        "Actes de traitement enregistrés dans l'année : saisies de faits par un agent, décisions "
        "sur les demandes, pièces traitées manuellement, clôtures de contrôles."
    ),
)
counting(
    selectors.reviews_in,
    "reviewed_at",
    code="quality_acts_reviewed",
    label="Actes vérifiés",
    unit="actes",
    definition="Actes tirés dans un plan de vérification et vérifiés dans l'année, à la date de "
    "la vérification, quel que soit le plan.",
)
counting(
    lambda year: selectors.reviews_in(year).filter(in_error=True),
    "reviewed_at",
    code="quality_acts_in_error",
    label="Actes vérifiés trouvés en erreur",
    unit="actes",
    definition="Actes vérifiés dans l'année que le vérificateur a trouvés en erreur.",
)


def _percent(share: float) -> Decimal:
    return Decimal(f"{100 * share:.1f}")


@shared_within_report
def _index(year: int) -> Estimate | None:
    """1 − the share in error of the year's last verification plan, with its 95 % interval."""
    plan = selectors.plans_of_year(year).first()
    if plan is None:
        return None
    results = selectors.plan_results(plan)
    if results.reviewed == 0:
        return None
    share = results.share
    return Estimate(1 - share.value, 1 - share.high, 1 - share.low, share.n)


@shared_within_report
def _index_six_months(year: int) -> Estimate | None:
    plan = selectors.plans_of_year(year).first()
    if plan is None:
        return None
    index = selectors.quality_index_six_months(plan)
    return index if index.n else None


def _interval(estimate: Estimate | None) -> Interval | None:
    return None if estimate is None else (_percent(estimate.low), _percent(estimate.high))


@indicator(
    code="quality_iql",
    better="higher",
    label="Indice de qualité de la liquidation (dernier plan de vérification de l'année)",
    unit="%",
    definition=(
        "1 − part estimée des actes en erreur, sur les actes vérifiés du dernier plan de "
        "vérification portant sur l'année (pondérée par l'inverse des probabilités d'inclusion "
        "hors tirage aléatoire simple) ; vide sans plan vérifié."
    ),
)
def quality_index(year: int) -> Decimal | None:
    estimate = _index(year)
    return None if estimate is None else _percent(estimate.value)


@indicator(
    code="quality_iql6",
    better="higher",
    label="IQL 6 mois après le traitement (dernier plan de vérification de l'année)",
    unit="%",
    definition=(
        "L'indice du même échantillon six mois après chaque acte : une erreur corrigée dans les "
        "six mois par un fait plus récent (hors correction du vérificateur) ne compte plus ; "
        "vide tant qu'aucun acte vérifié n'a six mois."
    ),
)
def quality_index_six_months(year: int) -> Decimal | None:
    estimate = _index_six_months(year)
    return None if estimate is None else _percent(estimate.value)


@with_interval("quality_iql")
def quality_index_interval(year: int) -> Interval | None:
    return _interval(_index(year))


@with_interval("quality_iql6")
def quality_index_six_months_interval(year: int) -> Interval | None:
    return _interval(_index_six_months(year))
