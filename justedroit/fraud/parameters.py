"""The fraud domain's dated parameters, each with its legal text (../shared/design/LEGAL-RULES.md,
docs/fraude.md). Where the law gives a bound, the Caf's own choice within it (the scale of
penalties, the prevention rule) is a documented hypothesis."""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError

from justedroit.fraud.pmss import (
    CEILING_FAULT,
    CEILING_FAULT_REPEAT,
    CEILING_INTENT,
    CEILING_ORGANISED,
    FLOOR_INTENT_DIVISOR,
    pmss,
)

CENT = Decimal("0.01")


# ---- Administrative penalty (art. L114-17 I CSS; R114-14): bounds in justedroit/fraud/pmss.py --
REPEAT_MONTHS = 36
# Interpretation (docs/fraude.md): the repeat doubles the ceiling without intent (4 → 8 PMSS); the
# ceilings with intent (8 and 16 PMSS) are not doubled again.


@dataclass(frozen=True)
class Bounds:
    """The legal bounds of a penalty for one year and one qualification."""

    year: int
    pmss: Decimal
    floor: Decimal
    ceiling_multiple: int
    article: str

    @property
    def ceiling(self) -> Decimal:
        return self.pmss * self.ceiling_multiple

    def clamp(self, amount: Decimal) -> Decimal:
        return min(max(amount, self.floor), self.ceiling).quantize(CENT)


def penalty_bounds(*, year: int, intent: bool, organised: bool, repeat: bool) -> Bounds:
    value = pmss(year)
    if intent:
        floor = (value / FLOOR_INTENT_DIVISOR).quantize(CENT, rounding=ROUND_HALF_UP)
        multiple = CEILING_ORGANISED if organised else CEILING_INTENT
        article = "L114-17 I CSS (intention de frauder"
        article += ", bande organisée)" if organised else ")"
    else:
        floor = Decimal("0.00")
        multiple = CEILING_FAULT_REPEAT if repeat else CEILING_FAULT
        article = "L114-17 I CSS" + (" (récidive dans les 3 ans)" if repeat else "")
    return Bounds(year, value, floor, multiple, article)


# ---- The Caf's scale within the bounds (hypothesis: a board deliberation) -------------------
@dataclass(frozen=True)
class ScaleRow:
    """The penalty the Caf proposes for a prejudice in [prejudice_from, prejudice_to) (euros),
    as a share of the year's PMSS; clamped to the legal bounds."""

    valid_from: dt.date
    intent: bool
    prejudice_from: Decimal
    prejudice_to: Decimal | None
    pmss_share: Decimal


SCALE_SOURCE = (
    "Barème indicatif des pénalités de la Caf (hypothèse : délibération du conseil "
    "d'administration, à valider) ; doublé en cas de bande organisée ou de récidive, dans la "
    "limite légale (L114-17 CSS)."
)
_D = Decimal
SCALE: tuple[ScaleRow, ...] = (
    ScaleRow(dt.date(2020, 12, 16), False, _D(0), _D(1000), _D("0.10")),
    ScaleRow(dt.date(2020, 12, 16), False, _D(1000), _D(5000), _D("0.25")),
    ScaleRow(dt.date(2020, 12, 16), False, _D(5000), _D(15000), _D("0.50")),
    ScaleRow(dt.date(2020, 12, 16), False, _D(15000), None, _D("1.00")),
    ScaleRow(dt.date(2020, 12, 16), True, _D(0), _D(1000), _D("0.25")),
    ScaleRow(dt.date(2020, 12, 16), True, _D(1000), _D(5000), _D("0.75")),
    ScaleRow(dt.date(2020, 12, 16), True, _D(5000), _D(15000), _D("1.50")),
    ScaleRow(dt.date(2020, 12, 16), True, _D(15000), None, _D("3.00")),
)


def scale_proposal(
    *, on: dt.date, prejudice: Decimal, intent: bool, organised: bool, repeat: bool
) -> Decimal:
    """The amount the Caf's scale proposes, within the legal bounds of the year of `on`."""
    rows = [
        r
        for r in SCALE
        if r.valid_from <= on
        and r.intent == intent
        and r.prejudice_from <= prejudice
        and (r.prejudice_to is None or prejudice < r.prejudice_to)
    ]
    if not rows:
        raise ValidationError("Aucune ligne du barème de la Caf ne s'applique à cette date.")
    row = max(rows, key=lambda r: r.valid_from)
    bounds = penalty_bounds(year=on.year, intent=intent, organised=organised, repeat=repeat)
    share = row.pmss_share * (2 if organised or repeat else 1)
    return bounds.clamp(bounds.pmss * share)


# ---- Warning (art. L114-17 I CSS, loi 2020-1576 du 14 décembre 2020) -------------------------
WARNING_FROM = dt.date(2020, 12, 16)

# ---- Complaint with civil-party claim (art. L114-9 and D114-5 CSS) ---------------------------
COMPLAINT_PMSS_MULTIPLE = 8


def complaint_threshold(year: int) -> Decimal:
    return pmss(year) * COMPLAINT_PMSS_MULTIPLE


# ---- Procedure (art. R114-11 CSS, version in force until 30/12/2023) -------------------------
OBSERVATIONS_MONTHS = 1  # to present observations or ask to be heard, from the notice
COMMISSION_MONTHS = 1  # the commission's opinion, from its referral; else deemed given
DECISION_MONTHS = 1  # the director's decision, from the opinion; else the procedure lapses
PAYMENT_MONTHS = 2  # payment of the penalty, from the notified decision
REMINDER_DAYS_BEFORE = 7  # worklist: a deadline within 7 days is flagged (hypothesis)

# ---- Prevention letters (lettres de mise en garde) -------------------------------------------
# The rules (services.PREVENTION_RULES, docs/fraude.md), each a hypothesis of the Caf's prevention
# plan: « new job while on RSA » (a member of a household paid RSA for month M has a salary for M
# known from a partner and no declared salary covering M); « late declaration after an automated
# indu » (an indu a late declaration caused in M, within 12 months of an indu an automated control
# settled: a repeat is an element of intent, IntentElement.REPEATED, so the Caf warns first);
# « below the referral threshold » (an automated control of M settled a declared resource a
# partner contradicts, too small to be referred to a controller). No household is warned twice
# within 12 months.
PREVENTION_QUIET_MONTHS = 12
PREVENTION_REPEAT_MONTHS = 12
# The Caf's capacity: letters its fraud team can write and follow a year, spread evenly over the
# months (the cycle's step `prevention_letters`; `justedroit cycle run --prevention-letters-per-
# year N` overrides it). Source: Caf de la Vienne, rapport d'activité 2022, 506 lettres de mise en
# garde en 2022; kept for the other years (hypothesis: the same plan each year).
PREVENTION_LETTERS_PER_YEAR = 506


def prevention_capacity(month: dt.date, per_year: float | None = None) -> int:
    """This month's share of the yearly capacity, the remainders spread over the year (the
    twelve months sum to the yearly capacity, rounded)."""
    yearly = PREVENTION_LETTERS_PER_YEAR if per_year is None else per_year
    return round(yearly * month.month / 12) - round(yearly * (month.month - 1) / 12)


# ---- Suspicions of fraud left without a file -------------------------------------------------
@dataclass(frozen=True)
class FileWait:
    """How long the indus of a control closed on a suspected fraud wait for the fraud team to
    open a file before they are notified as ordinary debts (origin: the control's kind). No text
    sets this delay: a hypothesis of the Caf's practice (docs/fraude.md). A file opened later
    still qualifies the fraud (sanction, complaint); the debt already notified keeps its flag."""

    valid_from: dt.date
    months: int
    source: str


FILE_WAITS = (
    FileWait(
        valid_from=dt.date(2020, 1, 1),
        months=3,
        source="hypothèse : trois mois pour que l'équipe fraude ouvre un dossier",
    ),
)


def file_wait(on: dt.date) -> FileWait:
    """The delay in force on `on` (the earliest known before it)."""
    known = [wait for wait in FILE_WAITS if wait.valid_from <= on] or [FILE_WAITS[0]]
    return max(known, key=lambda wait: wait.valid_from)


NOTICE_RIGHTS = (
    "Vous disposez d'un délai d'un mois à compter de la réception de ce courrier pour présenter "
    "vos observations écrites, depuis votre espace « Mon dossier » ou par courrier, ou pour "
    "demander à être entendu(e), en vous faisant assister de la personne de votre choix "
    "(article R114-11 du code de la sécurité sociale)."
)
DECISION_RIGHTS = (
    "Cette pénalité est à régler dans un délai de deux mois à compter de la notification de la "
    "présente décision. À défaut, elle sera récupérée par retenues sur vos prestations à venir ; "
    "si vous n'en percevez plus, une mise en demeure vous sera adressée, puis une contrainte. "
    "Vous pouvez contester cette décision devant le pôle social du tribunal "
    "judiciaire dans un délai de deux mois (articles L114-17 et R114-11 du code de la sécurité "
    "sociale ; pas de saisine préalable de la commission de recours amiable, L142-4)."
)
RIGHT_TO_ERROR = (
    "Une personne qui a méconnu pour la première fois une règle applicable à sa situation, de "
    "bonne foi, et qui a régularisé sa situation ne peut faire l'objet d'aucune sanction ; "
    "l'indu reste dû (article L123-1 du code des relations entre le public et l'administration)."
)
