"""Payments indicators: amounts paid per benefit and in total, households paid."""

from decimal import Decimal

from justedroit.core.indicators import indicator
from justedroit.entitlements import selectors
from justedroit.registry.models import Benefit

SEED = "Caf de la Vienne, rapport 2022"
MILLION = Decimal("1000000")


def _millions(value: Decimal) -> Decimal:
    return (value / MILLION).quantize(Decimal("0.01"))


@indicator(
    code="paid_total",
    label="Prestations versées (9 prestations modélisées)",
    unit="M€",
    definition="Somme des paiements des mois de l'année pour AF, CF, ASF, ARS, PAJE de base, aides "
    "au logement, RSA, prime d'activité et AAH. Le rapport publie « près de 511 M€ » (chiffres "
    "clés : 549 M€) pour toutes les prestations ; les 9 modélisées en font environ 88 %.",
    published={2022: Decimal("511")},
    source=f"{SEED} (chiffres clés : 549 M€)",
)
def paid_total(year: int) -> Decimal | None:
    paid = selectors.paid_in_year(year)
    return _millions(sum(paid.values(), Decimal(0))) if paid else None


def _paid_benefit(benefit: Benefit):
    def compute(year: int) -> Decimal | None:
        paid = selectors.paid_in_year(year)
        return _millions(paid.get(benefit.value, Decimal(0))) if paid else None

    return compute


for _benefit in Benefit:
    indicator(
        code=f"paid_{_benefit.value}",
        label=f"Versé : {_benefit.label}",
        unit="M€",
        definition=f"Paiements de {_benefit.label.lower()} pour les mois de l'année.",
    )(_paid_benefit(_benefit))


@indicator(
    code="households_paid",
    label="Foyers payés au moins une fois dans l'année",
    unit="foyers",
    definition="Foyers ayant reçu au moins un paiement pour un mois de l'année.",
    published={2022: 94_757},
    source=SEED,
)
def households_paid(year: int) -> int | None:
    return selectors.households_paid_in_year(year) or None
