"""Payment thresholds: amounts below which a benefit is not paid, in one table.

OpenFisca-France already applies every one of them inside its formulas, with dated parameters;
applying them again here would be harmless for most but wrong for housing aid (OpenFisca
compares the amount before the 5 € flat reduction), so the boundary applies only the thresholds
that no OpenFisca variable enforces: none today. The table stays the one place that says which
rule holds, where it comes from and who enforces it; tests check it against the parameters and
against the engine's results.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np


@dataclass(frozen=True)
class PaymentThreshold:
    benefit: str
    scope: str  # which part of the benefit, when it has several regimes
    article: str
    parameter: str  # OpenFisca parameter holding the dated amount (euros)
    enforced_by: str | None  # OpenFisca variable applying it; None: applied at our boundary
    note: str = ""


PAYMENT_THRESHOLDS = (
    PaymentThreshold(
        "ppa",
        "",
        "D846-2 CSS",
        "prestations_sociales.solidarite_insertion.minima_sociaux.ppa.pa_m.montant_minimum_verse",
        enforced_by="ppa",
    ),
    PaymentThreshold(
        "rsa",
        "",
        "R262-39 CASF",
        "prestations_sociales.solidarite_insertion.minima_sociaux.rsa.rsa_maj.montant_minimum_verse",
        enforced_by="rsa_montant",
    ),
    PaymentThreshold(
        "asf",
        "",
        "D523-3 CSS",
        "prestations_sociales.prestations_familiales.education_presence_parentale.asf.seuil",
        enforced_by="asf",
        note="OpenFisca pays above 15 €, the text stops payment below it: they differ at 15.00",
    ),
    PaymentThreshold(
        "ars",
        "",
        "D543-2 CSS",
        "prestations_sociales.prestations_familiales.education_presence_parentale.ars.montant_minimum_verse",
        enforced_by="ars",
    ),
    PaymentThreshold(
        "aide_logement",
        "ALF/ALS",
        "D823-16 CCH",
        "prestations_sociales.aides_logement.allocations_logement.locatif.seuils_minimum_versement.non_apl",
        enforced_by="aide_logement_montant_brut_avant_degressivite",
        note="compared before rent degressivity and the 5 € flat reduction",
    ),
    PaymentThreshold(
        "aide_logement",
        "APL",
        "D823-16 CCH",
        "prestations_sociales.aides_logement.allocations_logement.locatif.seuils_minimum_versement.apl",
        enforced_by="aide_logement_montant_brut_avant_degressivite",
        note="0 € since 03/2018: APL is paid whatever its amount",
    ),
)


def threshold_amount(threshold: PaymentThreshold, month: date, parameters) -> float:
    """The dated amount, read from OpenFisca's parameters (`tbs.parameters`)."""
    node = parameters(month.isoformat())
    for name in threshold.parameter.split("."):
        node = node[name]
    return float(node)


def apply_boundary_thresholds(
    benefit: str, cents: np.ndarray, month: date, parameters
) -> np.ndarray:
    """Zero the amounts below the thresholds that OpenFisca does not enforce itself."""
    for threshold in PAYMENT_THRESHOLDS:
        if threshold.benefit == benefit and threshold.enforced_by is None:
            limit = round(threshold_amount(threshold, month, parameters) * 100)
            cents = np.where(cents < limit, 0, cents)
    return cents
