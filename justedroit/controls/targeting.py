"""The targeting model of document and on-site controls: a logistic regression, fitted by
iteratively reweighted least squares (IRLS) with a small ridge penalty, on variables the Caf holds.
Pure: numbers in, numbers out; the features are read by `controls.features`, the versions stored
by `controls.services.targeting`. The variables and their review are published (docs/ciblage.md,
page « Ciblage des contrôles »); each score is explained variable by variable: the contribution of
a variable is its coefficient × its value, on the log-odds scale.

What the model predicts: a material indu, as the Cnaf's 2026 model (DMDE) does — at least 600 €
of indus over at least 6 months, found by the control."""

import math
from dataclasses import dataclass

import numpy as np

# The label: a control found a material indu.
MATERIAL_INDU_EUROS = 600
MATERIAL_INDU_MONTHS = 6
RIDGE_PENALTY = 1.0
MAX_ITERATIONS = 50
TOLERANCE = 1e-8


@dataclass(frozen=True)
class Feature:
    """One variable: its name, its French label and unit, why it is used, and the written review
    of what it may stand in for (a proxy of a protected attribute or of a group)."""

    name: str
    label: str
    unit: str
    why: str
    proxy_review: str


FEATURES: tuple[Feature, ...] = (
    Feature(
        "paid_monthly",
        "Montant mensuel moyen versé sur 12 mois",
        "centaines d'euros",
        "Un indu de 600 € suppose des montants versés importants.",
        "Plus élevé pour les familles nombreuses (allocations familiales) et les minima sociaux : "
        "mesure le montant en jeu, pas la composition ; l'audit par groupe en suit l'effet.",
    ),
    Feature(
        "income_tested_share",
        "Part des prestations calculées sur les ressources récentes",
        "part de 0 à 1",
        "RSA, prime d'activité et aide au logement suivent les ressources des derniers mois : "
        "un changement non déclaré y produit un indu.",
        "Proxy du RSA et de la précarité : retenue parce que c'est le mécanisme même de l'indu ; "
        "son effet sur les allocataires du RSA est mesuré par l'audit (parité, faux positifs).",
    ),
    Feature(
        "resource_changes_12m",
        "Changements de ressources déclarés sur 12 mois",
        "nombre",
        "Des ressources qui changent souvent rendent un oubli de déclaration plus probable.",
        "Proxy de l'emploi précaire (intérim, temps partiel) ; ne dit rien du sexe ni de la "
        "situation familiale.",
    ),
    Feature(
        "months_since_declaration",
        "Mois depuis la dernière déclaration de ressources (plafonné à 36)",
        "mois",
        "Une déclaration ancienne peut ne plus correspondre à la situation.",
        "Plus élevé pour les retraités et les personnes sans activité stable, dont les "
        "ressources changent peu : l'audit par tranche d'âge en suit l'effet.",
    ),
    Feature(
        "exchange_discrepancies_24m",
        "Écarts relevés par les échanges de données sur 24 mois",
        "nombre",
        "Des écarts passés avec les partenaires (DRM, France Travail, DGFiP) annoncent des "
        "déclarations à vérifier.",
        "Dépend de la couverture des partenaires : les salariés sont mieux couverts que les "
        "indépendants ; aucun lien direct avec un attribut protégé.",
    ),
    Feature(
        "overpayment_months_24m",
        "Mois d'indu constatés sur 24 mois",
        "nombre",
        "Un indu récent signale une situation qui change vite.",
        "Reprend les contrôles passés, eux-mêmes ciblés : l'entraînement sur l'échantillon "
        "aléatoire seul évite que le modèle apprenne le ciblage d'hier.",
    ),
    Feature(
        "income_unconfirmed",
        "Revenus déclarés sans confirmation d'un partenaire sur 6 mois",
        "0 ou 1",
        "Un revenu qu'aucun partenaire ne confirme (indépendant, départ à l'étranger) échappe "
        "aux contrôles automatisés.",
        "Proxy des travailleurs indépendants ; peut toucher les personnes récemment arrivées "
        "d'un autre pays : l'audit ne peut pas le vérifier (la nationalité n'est pas tenue), "
        "revue humaine de chaque sélection.",
    ),
)
FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)
FEATURES_BY_NAME = {f.name: f for f in FEATURES}

# Attributes the model never uses, as such or by a direct encoding (the test on the feature list
# names them): sex, nationality, place of birth, disability, family status, age.
PROTECTED = frozenset(
    {
        "sex",
        "nationality",
        "birth_place",
        "birth_country",
        "disability",
        "disability_rate",
        "aah_recipient",
        "family_status",
        "single_parent",
        "couple",
        "children_count",
        "age",
        "age_band",
        "commune",
        "priority_neighbourhood",
    }
)

# The comparison the audit runs: the historical « risk score » kind, with family status and
# benefits received as such. Never stored, never used to target.
NAIVE_EXTRA: tuple[Feature, ...] = (
    Feature("single_parent", "Parent isolé", "0 ou 1", "modèle naïf", "attribut protégé"),
    Feature("rsa_recipient", "Allocataire du RSA", "0 ou 1", "modèle naïf", "groupe audité"),
    Feature("aah_recipient", "Allocataire de l'AAH", "0 ou 1", "modèle naïf", "handicap"),
)
NAIVE_FEATURE_NAMES: tuple[str, ...] = FEATURE_NAMES + tuple(f.name for f in NAIVE_EXTRA)


@dataclass(frozen=True)
class Fit:
    intercept: float
    coefficients: tuple[float, ...]
    standard_errors: tuple[float, ...]  # intercept first
    iterations: int


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -35, 35)))


def fit(x, y, penalty: float = RIDGE_PENALTY) -> Fit:
    """Maximum (penalised) likelihood of P(y=1) = σ(b0 + x·b) by Newton–Raphson / IRLS. The
    ridge penalty (½·penalty·|b|², the intercept free) keeps the estimate finite when a variable
    separates the sample; 0 gives the plain maximum likelihood."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim != 2 or len(x) != len(y) or len(y) == 0:
        raise ValueError("Échantillon vide ou mal formé.")
    design = np.column_stack([np.ones(len(x)), x])
    ridge = np.full(design.shape[1], float(penalty))
    ridge[0] = 0.0
    beta = np.zeros(design.shape[1])
    iterations = 0
    for iterations in range(1, MAX_ITERATIONS + 1):  # noqa: B007 (kept for the result)
        p = sigmoid(design @ beta)
        w = p * (1 - p)
        gradient = design.T @ (y - p) - ridge * beta
        hessian = design.T @ (design * w[:, None]) + np.diag(ridge)
        step = np.linalg.solve(hessian, gradient)
        beta = beta + step
        if np.max(np.abs(step)) < TOLERANCE:
            break
    p = sigmoid(design @ beta)
    hessian = design.T @ (design * (p * (1 - p))[:, None]) + np.diag(ridge)
    errors = np.sqrt(np.diag(np.linalg.inv(hessian)))
    return Fit(
        intercept=float(beta[0]),
        coefficients=tuple(float(b) for b in beta[1:]),
        standard_errors=tuple(float(e) for e in errors),
        iterations=iterations,
    )


def probabilities(intercept: float, coefficients, x):
    """Scores of many rows at once."""
    return sigmoid(intercept + np.asarray(x, dtype=float) @ np.asarray(coefficients, dtype=float))


@dataclass(frozen=True)
class Contribution:
    feature: Feature
    value: float
    coefficient: float

    @property
    def contribution(self) -> float:
        return self.coefficient * self.value

    @property
    def sentence(self) -> str:
        """The French sentence of the per-file explanation."""
        direction = "augmente" if self.contribution > 0 else "diminue"
        if self.contribution == 0:
            return (
                f"{self.feature.label} : {_number(self.value)} ({self.feature.unit}), sans effet."
            )
        return (
            f"{self.feature.label} : {_number(self.value)} ({self.feature.unit}) × coefficient "
            f"{_number(self.coefficient, 3)} = {_number(self.contribution, 3)} ; {direction} le "
            "score."
        )


def explain(intercept: float, coefficients: dict[str, float], values: dict[str, float]):
    """Each variable's contribution to one score, largest effect first, and the score:
    σ(constante + Σ contributions)."""
    rows = [
        Contribution(FEATURES_BY_NAME[name], float(values[name]), float(coefficients[name]))
        for name in coefficients
    ]
    rows.sort(key=lambda c: -abs(c.contribution))
    log_odds = intercept + sum(c.contribution for c in rows)
    return rows, 1.0 / (1.0 + math.exp(-log_odds))


def _number(value: float, digits: int = 2) -> str:
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return (text if text not in ("-0", "") else "0").replace(".", ",").replace("-", "−")
