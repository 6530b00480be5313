"""Recovery indicators (Caf de la Vienne, rapport 2022): indus notified, recovered on the year's
benefits and from earlier years, share recovered amicably, recovered through the contentious
path, and the debts notified split by origin. Computed from the debt ledger."""

from decimal import Decimal

from justedroit.core.indicators import (
    by_month,
    in_millions,
    indicator,
    millions_per_month,
    shared_within_report,
)
from justedroit.recovery import selectors
from justedroit.recovery.models import RECOVERIES, DebtOrigin, EntryKind

SEED = "Caf de la Vienne, rapport 2022 (« Le recouvrement »)"
ZERO = Decimal("0.00")


def _millions_by_month(code: str, kinds, notified_in=lambda year: None) -> None:
    """The indicator `code`'s amounts month by month, in M€ (`notified_in`: year → the years
    of notification counted, as the indicator gives them to `amounts_for_year`)."""

    @by_month(code)
    def compute(year: int):
        entries = selectors.entries_for_year(year, kinds, notified_in=notified_in(year))
        return millions_per_month(entries, "on", "amount")


@indicator(
    code="recovery_notified",
    label="Indus notifiés",
    unit="M€",
    definition="Montant des dettes notifiées dans l'année (indus de faible montant compris).",
    published={2022: Decimal("21.2")},
    source=SEED,
)
def notified(year: int) -> Decimal:
    return in_millions(selectors.amounts_for_year(year, [EntryKind.NOTIFIED]))


_millions_by_month("recovery_notified", [EntryKind.NOTIFIED])
_notified_by_origin = shared_within_report(selectors.notified_by_origin)


def _notified_by(origin: DebtOrigin) -> None:
    @indicator(
        code=f"recovery_notified_{origin.value}",
        label=f"Dettes notifiées, origine : {origin.label}",
        unit="€",
        definition=(
            f"Montant des dettes notifiées dans l'année dont l'origine est « {origin.label} » "
            "(indus de faible montant compris). Une dette a une seule origine : les indus "
            "d'un dossier de fraude qualifié fraude ou fausse déclaration, sinon ceux qu'un "
            "contrôle a établis (selon son type), sinon ceux d'une déclaration tardive, sinon "
            "le recalcul sur les faits d'un partenaire ou d'un agent ; s'y ajoutent les "
            "pénalités impayées et les dettes saisies par un agent."
        ),
    )
    def notified_from(year: int) -> Decimal:
        return _notified_by_origin(year).get(origin.value, ZERO)


for _origin in DebtOrigin:
    _notified_by(_origin)


@indicator(
    code="recovery_recovered_same_year",
    better="higher",
    label="Indus recouvrés de l'année",
    unit="M€",
    definition="Retenues et remboursements de l'année sur des dettes notifiées dans l'année.",
    published={2022: Decimal("19.4")},
    source=SEED,
)
def recovered_same_year(year: int) -> Decimal:
    return in_millions(selectors.amounts_for_year(year, RECOVERIES, notified_in=(year, year)))


_millions_by_month("recovery_recovered_same_year", RECOVERIES, lambda year: (year, year))


@indicator(
    code="recovery_recovered_earlier_years",
    better="higher",
    label="Indus des années antérieures recouvrés",
    unit="M€",
    definition="Retenues et remboursements de l'année sur des dettes notifiées les années "
    "précédentes.",
    published={2022: Decimal("8.6")},
    source=SEED,
)
def recovered_earlier(year: int) -> Decimal:
    return in_millions(selectors.amounts_for_year(year, RECOVERIES, notified_in=(1900, year - 1)))


_millions_by_month("recovery_recovered_earlier_years", RECOVERIES, lambda year: (1900, year - 1))


@indicator(
    code="recovery_contentious",
    label="Recouvré par la voie contentieuse",
    unit="€",
    definition="Retenues et remboursements de l'année sur des dettes ayant au moins une étape "
    "contentieuse (mise en demeure, contrainte, commissaire de justice).",
    published={2022: Decimal("505159")},
    source=SEED,
)
def contentious(year: int) -> Decimal:
    return selectors.amounts_for_year(year, RECOVERIES, contentious=True)


@indicator(
    code="recovery_amicable_share",
    better="higher",
    label="Part du recouvrement amiable",
    unit="%",
    definition="Part des sommes recouvrées dans l'année sur des dettes sans étape contentieuse.",
    published={2022: Decimal("97.4")},
    source=SEED,
)
def amicable_share(year: int) -> Decimal | None:
    total = selectors.amounts_for_year(year, RECOVERIES)
    if not total:
        return None
    return ((total - contentious(year)) * 100 / total).quantize(Decimal("0.1"))
