"""The law of recovery as dated data, each value with its article and source. Pure Python (no
Django): the retention functions and their tests read it directly. Sources: LEGAL-RULES
(recovery section) and the texts cited; docs/recouvrement.md shows the same tables in French."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

FAMILY_BENEFITS = ("af", "cf", "asf", "ars", "paje_base")


# ---- small indus not recovered (D133-2 CSS, D847-2 CSS, R262-92 CASF) ---------------------------
@dataclass(frozen=True)
class SmallIndu:
    benefits: tuple[str, ...]
    amounts: dict[int, Decimal]  # year of notification → threshold (an indu below is not recovered)
    article: str
    note: str


SMALL_INDUS = (
    SmallIndu(
        FAMILY_BENEFITS,
        {2021: Decimal(24), 2022: Decimal(24), 2023: Decimal(25)},
        "D133-2 CSS",
        "0,68 % du plafond mensuel de la sécurité sociale, arrondi à l'euro supérieur "
        "(PMSS 3 428 € en 2021 et 2022, 3 666 € en 2023)",
    ),
    SmallIndu(
        ("aah",),
        {2021: Decimal(24), 2022: Decimal(24), 2023: Decimal(25)},
        "D133-2 CSS",
        "même seuil que les prestations familiales",
    ),
    SmallIndu(
        ("ppa",),
        {2021: Decimal(24), 2022: Decimal(24), 2023: Decimal(25)},
        "D847-2 CSS",
        "0,68 % du PMSS arrondi à l'euro supérieur",
    ),
    SmallIndu(
        ("rsa",),
        {2021: Decimal(77), 2022: Decimal(77), 2023: Decimal(77)},
        "R262-92 CASF",
        "indu de RSA non recouvré en dessous de 77 €",
    ),
)


def small_indu_threshold(benefit: str, year: int) -> tuple[Decimal, str] | None:
    """(threshold, article) for an indu of `benefit` notified in `year`; None where no text sets
    one (housing aid: recovered whatever its amount). Years after the last known value keep it."""
    for rule in SMALL_INDUS:
        if benefit in rule.benefits:
            known = [y for y in rule.amounts if y <= year] or [min(rule.amounts)]
            return rule.amounts[max(known)], rule.article
    return None


# ---- the retention scale (D553-1 III CSS; arrêté du 20 décembre 2019, art. 5) --------------------
@dataclass(frozen=True)
class Scale:
    """Monthly retention on the weighted income Q = R ÷ N: a flat retention on the band below the
    first threshold, then marginal rates on each band (a band runs up to the next threshold)."""

    year: int  # the year whose values these are
    flat: Decimal
    bands: tuple[tuple[Decimal, Decimal], ...]  # (lower threshold, marginal rate), increasing
    deemed_weighted_income: Decimal  # Q when the Caf does not know the household's resources
    source: str


SCALE_2020 = Scale(
    year=2020,
    flat=Decimal(49),
    bands=(
        (Decimal(266), Decimal("0.25")),
        (Decimal(397), Decimal("0.35")),
        (Decimal(594), Decimal("0.45")),
        (Decimal(793), Decimal("0.60")),
    ),
    deemed_weighted_income=Decimal(1186),
    source="arrêté du 20 décembre 2019, art. 5 (JORF n° 0298 du 24 décembre 2019)",
)
# Values by year. From 2022 they are revalued each 1 January by the average consumer price index
# excluding tobacco, without an arrêté (D553-1 III as amended by décret 2021-1955); the values
# applied in 2021–2023 were not found, so the 2020 values apply and every page says so.
SCALES: dict[int, Scale] = {2020: SCALE_2020}
REVALUATION_RULE = (
    "revalorisation au 1er janvier selon l'évolution en moyenne annuelle des prix à la "
    "consommation hors tabac (D553-1 III CSS)"
)


def scale_for(year: int) -> tuple[Scale, str]:
    """The scale applying in `year` and a French note saying which values are used."""
    known = [y for y in SCALES if y <= year] or [min(SCALES)]
    scale = SCALES[max(known)]
    if scale.year == year:
        return scale, f"barème {scale.year} ({scale.source})"
    return scale, (
        f"barème {scale.year} appliqué en {year} : les valeurs revalorisées de {year} "
        f"({REVALUATION_RULE}) ne sont pas connues de l'outil ; source {scale.source}"
    )


WEIGHTING_SINGLE = Decimal("1.5")  # D553-1 II
WEIGHTING_COUPLE = Decimal("2")  # D553-1 II
WEIGHTING_PER_CHILD = Decimal("0.5")  # D553-1 II
DEEMED_HOUSING_SHARE = Decimal("0.25")  # D553-1 I: rent unknown → 25 % of income + benefits
RECALCULATION_GAP = Decimal("0.20")  # D553-2: a new amount applies if it differs by ±20 %
FRAUD_UPLIFT = Decimal("0.50")  # L553-2 al. 3; D553-5
FRAUD_REPEAT_UPLIFT = Decimal("1.00")  # D553-5: the uplift doubled if fraud recurs within 5 years
FRAUD_REPEAT_YEARS = 5

# Fongibility (L553-2 CSS): the retention is taken from the family benefits first, failing that
# from housing aid, then AAH, PPA and RSA, in the order of the article.
FONGIBILITY_ORDER = (*FAMILY_BENEFITS, "aide_logement", "aah", "ppa", "rsa")

# ---- prescription (L553-1 CSS; L821-7 CCH for housing aid; Cass. 2e civ. 18/12/2014) -------------
PRESCRIPTION_YEARS = 2
PRESCRIPTION_YEARS_FRAUD = 5


# ---- unpaid administrative penalties (L114-17 CSS) ----------------------------------------------
@dataclass(frozen=True)
class PenaltyRecovery:
    """How an administrative penalty left unpaid after its two months (R114-11) is recovered. A
    penalty is a sanction, not an indu: neither the small-indu thresholds, nor the CRA's
    remission (L553-2), nor the fraud uplift of the retention (L553-2 al. 3, D553-5: on indus
    of a fraud) apply to it."""

    valid_from: dt.date
    retained_on_benefits: bool
    retention_article: str
    remission: bool
    remission_article: str
    erasure_needs_consent: bool
    erasure_article: str


PENALTY_RECOVERY = (
    PenaltyRecovery(
        valid_from=dt.date(2020, 12, 16),
        retained_on_benefits=True,
        retention_article=(
            "L114-17 I CSS : le directeur notifie la pénalité « en lui indiquant le délai dans "
            "lequel il doit s'en acquitter ou les modalités selon lesquelles elle sera récupérée "
            "sur les prestations à venir »"
        ),
        remission=False,
        remission_article=(
            "R114-11 et L142-4 CSS : la pénalité se conteste devant le tribunal judiciaire, sans "
            "commission de recours amiable ; la remise de dette de L553-2 ne vise que les indus"
        ),
        erasure_needs_consent=True,
        erasure_article="L711-4 du code de la consommation (sanction prononcée en application "
        "de l'article L114-17 CSS)",
    ),
)


def penalty_recovery(on: dt.date) -> PenaltyRecovery:
    """The rules in force on `on` (the earliest known before it)."""
    known = [rules for rules in PENALTY_RECOVERY if rules.valid_from <= on] or [PENALTY_RECOVERY[0]]
    return max(known, key=lambda rules: rules.valid_from)


# ---- repayment plans and the contentious path ----------------------------------------------------
PLAN_MONTHS_DEFAULT_MAX = 12  # Caf practice: longer only with a documented agent decision
NOTICE_TO_CONSTRAINT = 1  # month: formal notice → contrainte (R133-3 CSS)
OPPOSITION_DAYS = 15  # opposition to a contrainte (R133-3 CSS)
CRA_APPEAL_MONTHS = 2  # R142-1 CSS


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
