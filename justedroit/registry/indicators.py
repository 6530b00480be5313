"""Registry indicators: allocataires and persons covered at 31 December."""

import datetime as dt
from decimal import Decimal

from justedroit.core.indicators import indicator, shared_within_report
from justedroit.registry import selectors
from justedroit.registry.models import Commune

SEED = "Caf de la Vienne, rapport d'activité 2022, « Renforcer notre qualité de service »"


@indicator(
    code="households",
    label="Foyers allocataires",
    unit="foyers",
    definition="Foyers ayant au moins une demande ouverte (statut « ouverte ») couvrant décembre.",
    published={2022: 94_757, 2021: 94_057},
    source=f"{SEED} (2021 : 94 757 − 700)",
)
def households(year: int) -> int:
    return selectors.households_covered_on(dt.date(year, 12, 31)).count()


@indicator(
    code="persons_covered",
    label="Personnes couvertes",
    unit="personnes",
    definition="Membres, au 31 décembre, des foyers allocataires (allocataires, conjoints, "
    "enfants et autres personnes à charge).",
    published={2022: 206_587},
    source=SEED,
)
@shared_within_report
def persons_covered(year: int) -> int:
    return selectors.persons_covered_on(dt.date(year, 12, 31)).count()


@indicator(
    code="population_share",
    better="higher",
    label="Part de la population du département couverte",
    unit="%",
    definition="Personnes couvertes ÷ population municipale des 265 communes (Insee, 438 897).",
    published={2022: Decimal("47")},
    source=SEED,
)
def population_share(year: int) -> Decimal | None:
    population = sum(Commune.objects.values_list("population", flat=True))
    if not population:
        return None
    share = Decimal(persons_covered(year) * 100) / Decimal(population)
    return share.quantize(Decimal("0.1"))
