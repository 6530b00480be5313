"""Control indicators: volumes by kind, all controls under both published definitions, and the
financial impact the engine's recomputations produced (rappels, indus). Published values: seed
« Le contrôle des allocataires pour le paiement du juste droit » and the key figures."""

from decimal import Decimal

from justedroit.controls import selectors
from justedroit.controls.models import ControlKind
from justedroit.core.indicators import (
    by_month,
    in_millions,
    indicator,
    millions_per_month,
    per_month,
    shared_within_report,
)
from justedroit.entitlements.selectors import paid_in_year

SEED = "Caf de la Vienne, rapport 2022, « Le contrôle des allocataires »"
KEY_FIGURES = "Caf de la Vienne, rapport 2022, chiffres clés"

volumes = shared_within_report(selectors.volumes)
impacts = shared_within_report(selectors.impacts)


def _volume(kind: ControlKind):
    def compute(year: int) -> int:
        return volumes(year)[kind]

    return compute


def _volume_by_month(kind: ControlKind):
    def compute(year: int):
        rows = selectors.counted_in(year).filter(kind=kind)
        return per_month(rows, selectors.COUNTED_ON.get(kind, "opened_at"))

    return compute


def _millions_by_month(field: str):
    def compute(year: int):
        return millions_per_month(selectors.closed_in(year), "closed_at", field)

    return compute


for _kind, _code, _published, _definition in (
    (
        ControlKind.AUTOMATED,
        "controls_automated",
        155_047,
        "Contrôles automatisés (échanges de données avec les partenaires) des mois du cycle de "
        "l'année : un par foyer et par mois où des données partenaires nouvelles sur ses "
        "ressources sont arrivées, sans incidence compris.",
    ),
    (
        ControlKind.DOCUMENTS,
        "controls_documents",
        14_977,
        "Contrôles sur pièces ouverts dans l'année (ciblage, échantillon, signalement, écart "
        "d'un échange de données).",
    ),
    (
        ControlKind.ON_SITE,
        "controls_on_site",
        901,
        "Contrôles sur place ouverts dans l'année.",
    ),
):
    indicator(
        code=_code,
        label=_kind.label,
        unit="contrôles",
        definition=_definition,
        published={2022: _published},
        source=SEED,
    )(_volume(_kind))
    by_month(_code)(_volume_by_month(_kind))


@indicator(
    code="controls_total",
    label="Contrôles (somme des trois natures)",
    unit="contrôles",
    definition="Contrôles automatisés + sur pièces + sur place de l'année. Le rapport publie les "
    "trois volumes (155 047 + 14 977 + 901 = 170 925).",
    published={2022: 170_925},
    source=f"{SEED} (somme des trois volumes)",
)
def controls_total(year: int) -> int:
    return sum(volumes(year).values())


@indicator(
    code="controls_total_key_figures",
    label="Contrôles effectués (définition des chiffres clés)",
    unit="contrôles",
    definition="Les chiffres clés annoncent 186 144 contrôles, 15 219 de plus que la somme des "
    "trois natures, sans dire lesquels. Non reproduit : la valeur calculée est la somme des "
    "trois natures, l'écart à la valeur publiée mesure ce que cette définition ajoute.",
    published={2022: 186_144},
    source=KEY_FIGURES,
)
def controls_total_key_figures(year: int) -> int:
    return controls_total(year)


@indicator(
    code="controls_financial_impact",
    label="Impact financier des contrôles",
    unit="M€",
    definition="Rappels + indus (en valeur absolue) calculés par le moteur lors de la clôture des "
    "contrôles de l'année, toutes natures, fraude comprise.",
    published={2022: Decimal("11.5")},
    source=KEY_FIGURES,
)
def financial_impact(year: int) -> Decimal:
    totals = impacts(year)
    return in_millions(totals["arrears"] + totals["overpayment"])


@indicator(
    code="controls_overpayments",
    label="Indus détectés par les contrôles",
    unit="M€",
    definition="Indus calculés par le moteur lors de la clôture des contrôles de l'année.",
    published={2022: Decimal("8.4")},
    source=SEED,
)
def overpayments(year: int) -> Decimal:
    return in_millions(impacts(year)["overpayment"])


by_month("controls_overpayments")(_millions_by_month("overpayment"))


@indicator(
    code="controls_overpayment_share",
    label="Indus détectés rapportés aux prestations versées",
    unit="%",
    definition="Indus des contrôles de l'année ÷ paiements des mois de l'année (9 prestations "
    "modélisées).",
    published={2022: Decimal("2.0")},
    source=SEED,
)
def overpayment_share(year: int) -> Decimal | None:
    paid = sum(paid_in_year(year).values(), Decimal(0))
    if not paid:
        return None
    return (100 * impacts(year)["overpayment"] / paid).quantize(Decimal("0.1"))


@indicator(
    code="controls_arrears",
    label="Rappels issus des contrôles",
    unit="M€",
    definition="Rappels (droits dus et non versés) calculés par le moteur lors de la clôture des "
    "contrôles de l'année. Le rapport ne publie pas ce montant.",
)
def arrears(year: int) -> Decimal:
    return in_millions(impacts(year)["arrears"])


by_month("controls_arrears")(_millions_by_month("arrears"))
