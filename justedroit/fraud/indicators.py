"""Fraud indicators: fraud cases and amount, their share of the benefits paid, and prevention
letters. Published values: seed « Le contrôle des allocataires » (Caf de la Vienne, 2022)."""

from decimal import Decimal

from justedroit.core.indicators import (
    by_month,
    counting,
    in_millions,
    indicator,
    millions_per_month,
    per_month,
    shared_within_report,
)
from justedroit.entitlements.selectors import paid_in_year
from justedroit.fraud import selectors

SEED = "Caf de la Vienne, rapport 2022, « Le contrôle des allocataires »"

totals = shared_within_report(selectors.fraud_totals)


@indicator(
    code="fraud_cases",
    label="Fraudes détectées",
    unit="cas",
    definition="Dossiers de fraude qualifiés « fraude » (intention de frauder établie) par une "
    "personne nommée dans l'année, à la date de cette qualification.",
    published={2022: 296},
    source=SEED,
)
def fraud_cases(year: int) -> int:
    return totals(year)["cases"]


@by_month("fraud_cases")
def fraud_cases_by_month(year: int):
    return per_month(selectors.qualified_in(year), "qualified_at")


@indicator(
    code="fraud_amount",
    label="Montant des fraudes détectées",
    unit="M€",
    definition="Préjudice des fraudes qualifiées dans l'année : indus calculés par le moteur "
    "pour la seule période frauduleuse de chaque dossier.",
    published={2022: Decimal("3.0")},
    source=SEED,
)
def fraud_amount(year: int) -> Decimal:
    return in_millions(totals(year)["prejudice"])


@by_month("fraud_amount")
def fraud_amount_by_month(year: int):
    return millions_per_month(selectors.qualified_in(year), "qualified_at", "prejudice")


@indicator(
    code="fraud_share",
    label="Fraudes rapportées aux prestations versées",
    unit="%",
    definition="Préjudice des fraudes qualifiées dans l'année ÷ paiements des mois de l'année "
    "(9 prestations modélisées).",
    published={2022: Decimal("0.59")},
    source=SEED,
)
def fraud_share(year: int) -> Decimal | None:
    paid = sum(paid_in_year(year).values(), Decimal(0))
    if not paid:
        return None
    return (100 * totals(year)["prejudice"] / paid).quantize(Decimal("0.01"))


prevention_letters = counting(
    selectors.prevention_letters,
    "created_at",
    code="fraud_prevention_letters",
    label="Lettres de mise en garde",
    unit="lettres",
    definition="Lettres de mise en garde écrites dans l'année par la commande « fraud "
    "prevention-letters » (règle documentée dans docs/fraude.md).",
    published={2022: 506},
    source=SEED,
)
