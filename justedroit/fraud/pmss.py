"""The plafond mensuel de la sécurité sociale by year, and the penalty ceilings and floor the
law expresses in it (art. L114-17 I CSS). Kept apart from `parameters` so that the models' check
constraints can read them (the database refuses a penalty outside the bounds of its year)."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class Pmss:
    """The plafond mensuel de la sécurité sociale of a year and the arrêté that set it."""

    year: int
    amount: Decimal
    source: str


# The PMSS by year (art. L241-3 and D242-17 CSS; also in openfisca-france's parameters).
PMSS: dict[int, Pmss] = {
    p.year: p
    for p in (
        Pmss(2020, Decimal("3428"), "arrêté du 2 décembre 2019 (JO du 5 décembre 2019)"),
        Pmss(2021, Decimal("3428"), "arrêté du 22 décembre 2020 (JO du 29 décembre 2020)"),
        Pmss(2022, Decimal("3428"), "arrêté du 15 décembre 2021 (JO du 21 décembre 2021)"),
        Pmss(2023, Decimal("3666"), "arrêté du 9 décembre 2022 (JO du 11 décembre 2022)"),
        Pmss(2024, Decimal("3864"), "arrêté du 19 décembre 2023 (JO du 22 décembre 2023)"),
        Pmss(2025, Decimal("3925"), "arrêté du 19 décembre 2024 (JO du 22 décembre 2024)"),
    )
}


def pmss(year: int) -> Decimal:
    try:
        return PMSS[year].amount
    except KeyError:
        raise ValidationError(
            f"Plafond mensuel de la sécurité sociale {year} inconnu : ajoutez-le aux paramètres "
            "(justedroit/fraud/pmss.py) avec l'arrêté qui le fixe."
        ) from None


# ---- Administrative penalty (art. L114-17 I CSS; R114-14) -----------------------------------
# Without intent to defraud (inexact or incomplete declaration, omission): at most 4 PMSS, doubled
# on a repeat of the same facts within 3 years. With intent to defraud: at least 1/30 PMSS, at
# most 8 PMSS; organised fraud (bande organisée): at most 16 PMSS. The ceilings are stored on the
# decision as a multiple of the year's PMSS, which the database checks (FraudSanction).
CEILING_FAULT = 4
CEILING_FAULT_REPEAT = 8
CEILING_INTENT = 8
CEILING_ORGANISED = 16
CEILING_MULTIPLES = tuple(
    sorted({CEILING_FAULT, CEILING_FAULT_REPEAT, CEILING_INTENT, CEILING_ORGANISED})
)
FLOOR_INTENT_DIVISOR = 30
