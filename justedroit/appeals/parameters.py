"""The appeals domain's rules as dated parameters, each with its article (LEGAL-RULES, CRA and
Courts rows; docs/recours.md shows the same tables in French). Pure Python: no Django, no clock.
Where the law leaves a choice to the Caf (the precarity rule proposing remissions), the choice is
a documented parameter of its own."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from justedroit.core.calendar import months_later

FAMILY_BENEFITS = ("af", "cf", "asf", "ars", "paje_base")


@dataclass(frozen=True)
class Rule:
    """A value in force from `since`, with the text that sets it."""

    value: object
    since: dt.date
    article: str
    meaning: str


def in_force(rules: tuple[Rule, ...], on: dt.date) -> Rule:
    """The rule of `rules` in force on `on` (the latest whose `since` is not after it)."""
    known = [rule for rule in rules if rule.since <= on]
    if not known:
        raise ValueError(f"Aucune règle en vigueur le {on:%d/%m/%Y}.")
    return max(known, key=lambda rule: rule.since)


# ---- the commission de recours amiable ----------------------------------------------------------
# Décret 2018-928 of 29/10/2018 (contentieux de la sécurité sociale) set the current texts from
# 1 January 2019.
REFORM = dt.date(2019, 1, 1)
SEIZE_MONTHS = (
    Rule(2, REFORM, "R142-1 CSS", "la CRA est saisie dans les 2 mois de la notification"),
)
IMPLICIT_REJECTION_MONTHS = (
    Rule(
        2,
        REFORM,
        "R142-6 CSS",
        "sans décision 2 mois après la réception de la réclamation (ou des documents demandés "
        "ensuite), la demande est rejetée implicitement",
    ),
)
COMPOSITION = (
    Rule(
        {"insured": 2, "employer": 2, "other": 1},
        REFORM,
        "R142-2 CSS",
        "2 représentants des assurés, 2 des employeurs ou travailleurs indépendants, 1 autre "
        "membre du conseil d'administration",
    ),
)
QUORUM = (Rule(3, REFORM, "R142-2 CSS", "la commission délibère si 3 membres sont présents"),)


def seize_deadline(notified_on: dt.date) -> dt.date:
    """Last day to seize the CRA about a decision notified on `notified_on` (R142-1 CSS)."""
    return months_later(notified_on, int(in_force(SEIZE_MONTHS, notified_on).value))  # type: ignore[call-overload]


def implicit_rejection_on(received_on: dt.date, documents_on: dt.date | None = None) -> dt.date:
    """The day the silence of the organism becomes an implicit rejection (R142-6 CSS): 2 months
    after it received the claim, or the documents it asked for later."""
    start = max(received_on, documents_on) if documents_on else received_on
    return months_later(start, int(in_force(IMPLICIT_REJECTION_MONTHS, start).value))  # type: ignore[call-overload]


# ---- recovery while a case is pending -----------------------------------------------------------
# Documented rule (docs/recours.md): a contested indu is not recovered (no retention, no
# contentious step) until the commission or the court decides; a remission request does not
# dispute the debt and does not suspend it. The RSA text makes the appeals suspensive; the Caf
# applies the same neutralisation to every benefit, on the debtor's side.
SUSPENSION = (
    Rule(
        ("contest_indu",),
        REFORM,
        "L262-46 CASF (RSA) ; règle de la Caf pour les autres prestations (à vérifier)",
        "le recours contre un indu suspend son recouvrement jusqu'à la décision",
    ),
)


# ---- the courts ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Route:
    court: str  # a `Court` value (models)
    prior_appeal: bool  # a prior administrative appeal (CRA or RAPO) is mandatory
    months: int | None  # time to seize the court after the decision (or the implicit rejection)
    days: int | None
    article: str


HOUSING_REFORM = dt.date(2020, 1, 1)
ROUTES: dict[str, tuple[tuple[dt.date, Route], ...]] = {
    "family": ((REFORM, Route("tj_social", True, 2, None, "R142-1-A CSS")),),
    "aah": ((REFORM, Route("tj_social", True, 2, None, "R142-1-A CSS")),),
    "aide_logement": ((HOUSING_REFORM, Route("ta", True, 2, None, "L825-1 CCH ; R421-1 CJA")),),
    "rsa": ((REFORM, Route("ta", True, 2, None, "L262-47 CASF ; R421-1 CJA")),),
    "ppa": (
        (REFORM, Route("ta", True, 2, None, "L262-47 CASF, par renvoi de L845-2 CSS (à vérifier)")),
    ),
    "penalty": ((REFORM, Route("tj_social", False, 2, None, "L114-17 et L142-4 CSS")),),
    "opposition": ((REFORM, Route("tj_social", False, None, 15, "L161-1-5 et R133-3 CSS")),),
    "opposition_admin": (
        (REFORM, Route("ta", False, None, 15, "R133-3 CSS ; L262-47 CASF ; L825-1 CCH")),
    ),
}
APPEAL = {
    # Time to appeal a first-instance judgment (and where).
    "tj_social": (1, "cour_appel", "R142-10-7 CSS ; art. 538 CPC (1 mois)"),
    "ta": (2, "caa", "R811-2 CJA (2 mois)"),
    "cour_appel": (2, "cassation", "art. 612 CPC (2 mois)"),
    "caa": (2, "conseil_etat", "R821-1 CJA (2 mois)"),
}


def subject_of(benefit: str | None, kind: str) -> str:
    """The routing subject of a case: `kind` is « contest » (a decision on a benefit), «
    penalty » or « opposition » (to a contrainte)."""
    if kind == "penalty":
        return "penalty"
    if kind == "opposition":
        return "opposition_admin" if benefit in ("rsa", "aide_logement") else "opposition"
    if benefit in FAMILY_BENEFITS:
        return "family"
    if benefit in ("aah", "aide_logement", "rsa", "ppa"):
        return str(benefit)
    raise ValueError(f"Prestation inconnue : {benefit}")


def route(subject: str, on: dt.date) -> Route:
    """The court competent for `subject` on `on`, with its delay and article."""
    dated = [(since, r) for since, r in ROUTES[subject] if since <= on]
    if not dated:
        raise ValueError(f"Aucune juridiction connue pour « {subject} » le {on:%d/%m/%Y}.")
    return max(dated, key=lambda pair: pair[0])[1]


# ---- the Caf's precarity rule proposing remissions (L553-2 CSS leaves the test to the Caf) -------
@dataclass(frozen=True)
class Precarity:
    """Weighted monthly income Q = R ÷ N computed as for retentions (D553-1 I–II CSS): at or below
    `full`, a full remission is proposed; at or below `partial`, a remission of `share` of the
    balance; above, a rejection. Fraud excludes any remission (L553-2)."""

    full: Decimal
    partial: Decimal
    share: Decimal
    source: str


PRECARITY = Precarity(
    full=Decimal("594"),
    partial=Decimal("1186"),
    share=Decimal("0.50"),
    source=(
        "Choix documenté de la Caf (docs/recours.md) : 594 € est le seuil de la 3e tranche du "
        "barème des retenues (D553-1 III, arrêté du 20/12/2019) ; 1 186 € le revenu pondéré "
        "réputé du même arrêté."
    ),
)
