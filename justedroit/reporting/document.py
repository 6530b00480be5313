"""The annual report as a document: the chapter's sections, each listing the indicators of the
registry that belong to it, with the previous year, the change and a French sentence made from
the figures.

Which indicator goes where is declared here, by the domain that declares it (the app of its
`indicators.py`) and, inside a domain, by the start of its code. An indicator that no part claims
goes to « Autres indicateurs »: a domain added later shows in the report without changing this
module. The figures are those of `selectors.indicator_report`, the same rows as
`justedroit indicators --format json`."""

import datetime as dt
from dataclasses import dataclass, field

from justedroit.core.french import (
    MONTHS_SHORT,
    change_percent_fr,
    change_points_fr,
    number_fr,
    percent_fr,
)
from justedroit.core.indicators import Interval, Value, registered
from justedroit.reporting.selectors import IndicatorRow, MonthFigures, Report


@dataclass(frozen=True)
class ChartSpec:
    """A bar chart of some of the part's indicators, the year beside the previous one."""

    title: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class Part:
    title: str
    domains: tuple[str, ...]
    prefixes: tuple[str, ...] = ()  # codes starting so; every code of the domains when empty
    charts: tuple[ChartSpec, ...] = ()
    # Indicators month by month over the year, one series each (those declared `by_month`).
    monthly_charts: tuple[ChartSpec, ...] = ()

    def claims(self, domain: str, code: str) -> bool:
        return domain in self.domains and (
            not self.prefixes or any(code.startswith(p) for p in self.prefixes)
        )


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    parts: tuple[Part, ...]


# The CRA's decisions by outcome (appeals.models.Outcome), then its silences (R142-6 CSS).
CRA_DECISIONS = (
    "appeals_decisions_full",
    "appeals_decisions_partial",
    "appeals_decisions_reject",
    "appeals_decisions_confirm",
    "appeals_decisions_reverse",
    "appeals_decisions_implicit",
)
SECTIONS = (
    Section(
        "relation-de-service",
        "Assurer la relation de service",
        (
            Part(
                "Les modes de contact : l'accueil physique et les rendez-vous",
                ("reception",),
                charts=(
                    ChartSpec(
                        "Rendez-vous téléphoniques et en visio honorés",
                        ("reception_phone_held", "reception_visio_held"),
                    ),
                ),
                monthly_charts=(
                    ChartSpec(
                        "Les contacts mois par mois : accueil, téléphone, courriels",
                        ("reception_visitors", "calls_received", "emails_handled"),
                    ),
                    ChartSpec(
                        "Les rendez-vous honorés mois par mois, dont téléphone et visio",
                        (
                            "reception_appointments_held",
                            "reception_phone_held",
                            "reception_visio_held",
                        ),
                    ),
                ),
            ),
            Part(
                "Les documents reçus",
                ("channels",),
                ("documents_",),
                charts=(
                    ChartSpec(
                        "Papier et traitement automatique des documents (%)",
                        ("documents_paper_share", "documents_auto_rate"),
                    ),
                ),
                monthly_charts=(
                    ChartSpec(
                        "Part du papier dans les documents reçus, mois par mois (%) ; "
                        "le reste arrive en ligne",
                        ("documents_paper_share",),
                    ),
                ),
            ),
            Part("Les courriels", ("channels",), ("email",)),
            Part("Le téléphone", ("channels",), ("call",)),
            Part("Les services en ligne", ("channels",)),
        ),
    ),
    Section(
        "acces-aux-droits",
        "Renforcer l'accès aux droits",
        (
            Part("Les partenaires relais", ("outreach",), ("outreach_partners", "outreach_meet")),
            Part("Les actions collectives", ("outreach",), ("outreach_action", "outreach_collect")),
            Part(
                "Les contacts sortants",
                ("outreach",),
                charts=(
                    ChartSpec(
                        "Allocataires contactés, par canal",
                        ("outreach_contacted_sms", "outreach_contacted_phone"),
                    ),
                ),
                monthly_charts=(
                    ChartSpec(
                        "Allocataires contactés par SMS et par téléphone, et droits ouverts, "
                        "par mois de planification de la campagne",
                        (
                            "outreach_contacted_sms",
                            "outreach_contacted_phone",
                            "outreach_rights_opened",
                        ),
                    ),
                ),
            ),
        ),
    ),
    Section(
        "controle",
        "Le contrôle des allocataires pour le paiement du juste droit",
        (
            Part("Les versements et les allocataires", ("entitlements", "registry")),
            Part(
                "Les contrôles",
                ("controls",),
                charts=(
                    ChartSpec(
                        "Contrôles par nature",
                        ("controls_automated", "controls_documents", "controls_on_site"),
                    ),
                    ChartSpec(
                        "Indus et rappels issus des contrôles (M€)",
                        ("controls_overpayments", "controls_arrears"),
                    ),
                ),
                monthly_charts=(
                    ChartSpec(
                        "Contrôles sur pièces et sur place, mois par mois",
                        ("controls_documents", "controls_on_site"),
                    ),
                    ChartSpec(
                        "Indus et rappels des contrôles clos, mois par mois (M€)",
                        ("controls_overpayments", "controls_arrears"),
                    ),
                ),
            ),
            Part(
                "La fraude et la prévention",
                ("fraud",),
                monthly_charts=(
                    ChartSpec("Fraudes qualifiées, mois par mois", ("fraud_cases",)),
                    ChartSpec(
                        "Préjudice des fraudes qualifiées, mois par mois (M€)", ("fraud_amount",)
                    ),
                    ChartSpec(
                        "Lettres de mise en garde, mois par mois", ("fraud_prevention_letters",)
                    ),
                ),
            ),
        ),
    ),
    Section(
        "recouvrement",
        "Le recouvrement, la commission de recours amiable et le contentieux",
        (
            Part(
                "Le recouvrement des créances",
                ("recovery",),
                charts=(
                    ChartSpec(
                        "Indus notifiés et recouvrés (M€)",
                        (
                            "recovery_notified",
                            "recovery_recovered_same_year",
                            "recovery_recovered_earlier_years",
                        ),
                    ),
                ),
                monthly_charts=(
                    ChartSpec(
                        "Indus notifiés et recouvrés, mois par mois (M€)",
                        (
                            "recovery_notified",
                            "recovery_recovered_same_year",
                            "recovery_recovered_earlier_years",
                        ),
                    ),
                ),
            ),
            Part(
                "La commission de recours amiable",
                ("appeals",),
                (
                    "appeals_remission",
                    "appeals_contestations",
                    "appeals_remitted",
                    "appeals_mean",
                    "appeals_decisions",
                ),
                charts=(
                    ChartSpec(
                        "Dossiers examinés par la CRA",
                        ("appeals_remission_requests", "appeals_contestations"),
                    ),
                    ChartSpec("Décisions de la CRA par issue", CRA_DECISIONS),
                ),
                monthly_charts=(
                    ChartSpec(
                        "Demandes de remise et contestations reçues, mois par mois",
                        ("appeals_remission_requests", "appeals_contestations"),
                    ),
                    ChartSpec("Décisions de la CRA par issue, mois par mois", CRA_DECISIONS),
                    ChartSpec(
                        "Montant des remises accordées, mois par mois (€)", ("appeals_remitted",)
                    ),
                ),
            ),
            Part(
                "Les actions contentieuses",
                ("appeals",),
                charts=(
                    ChartSpec(
                        "Jugements et décisions des juridictions",
                        (
                            "appeals_judgments_ta",
                            "appeals_judgments_tj",
                            "appeals_judgments_upper",
                        ),
                    ),
                ),
            ),
        ),
    ),
    Section(
        "maitrise-des-risques",
        "Maîtrise des risques",
        (
            Part(
                "Le contrôle de la qualité de la liquidation",
                ("quality",),
                charts=(
                    ChartSpec(
                        "Indices de qualité de la liquidation (%), estimés sur échantillon, "
                        "avec leur intervalle de confiance à 95 %",
                        ("quality_iql", "quality_iql6"),
                    ),
                ),
                monthly_charts=(
                    ChartSpec(
                        "Actes de traitement des agents, mois par mois",
                        ("quality_processing_acts",),
                    ),
                    ChartSpec(
                        "Actes vérifiés et trouvés en erreur, mois par mois",
                        ("quality_acts_reviewed", "quality_acts_in_error"),
                    ),
                ),
            ),
        ),
    ),
)
OTHERS_TITLE = "Autres indicateurs"
# The chapter's « Chiffres clés », in its order: each one is also in its own section.
KEY_FIGURES = (
    "controls_total_key_figures",
    "controls_financial_impact",
    "households",
    "paid_total",
    "persons_covered",
    "population_share",
    "reception_appointments_held",
    "reception_visitors",
)


def indicator_domains() -> dict[str, str]:
    """Each indicator's domain: the app whose `indicators.py` declares it."""
    return {i.code: i.compute.__module__.split(".")[1] for i in registered()}


# ---------------------------------------------------------------------------------------------
# Sentences


def _figure(value: Value, unit: str) -> str:
    if unit == "%":
        return percent_fr(value)
    return f"{number_fr(value)} {unit}"


def change(row: IndicatorRow) -> str | None:
    """The change from the previous year, as the chapter writes it: '+43 %' for a volume, '+2
    points' for a percentage; None when there is nothing to compare."""
    if row.value is None or row.previous is None:
        return None
    if row.unit == "%":
        return change_points_fr(row.value, row.previous)
    return change_percent_fr(row.value, row.previous)


def sentence(row: IndicatorRow) -> str:
    """« Allocataires reçus : 57 262 visites en 2022, soit +43 % par rapport à 2021 (40 043). »"""
    if row.value is None:
        return f"{row.label} : pas de donnée pour {row.year}."
    text = f"{row.label} : {_figure(row.value, row.unit)} en {row.year}"
    if row.previous is None:
        return f"{text} (pas de donnée pour {row.year - 1})."
    if row.value == row.previous:
        return f"{text}, comme en {row.year - 1}."
    before = _figure(row.previous, row.unit)
    difference = change(row)
    if difference is None:  # from zero: no ratio
        return f"{text}, contre {before} en {row.year - 1}."
    return f"{text}, soit {difference} par rapport à {row.year - 1} ({before})."


# ---------------------------------------------------------------------------------------------
# The document


@dataclass(frozen=True)
class Chart:
    title: str
    categories: list[str]  # the indicators' labels, or the months
    unit: str
    series: dict[str, list[Value]]  # "2022" → values, "2021" → values; or label → 12 values
    monthly: bool = False
    # By series, each value's confidence interval (estimates from a sample); empty otherwise.
    intervals: dict[str, list[Interval | None]] = field(default_factory=dict)


@dataclass(frozen=True)
class Line:
    row: IndicatorRow
    sentence: str
    change: str | None


@dataclass
class PartView:
    title: str
    lines: list[Line]
    charts: list[Chart] = field(default_factory=list)

    @property
    def rows(self) -> list[IndicatorRow]:
        return [line.row for line in self.lines]

    @property
    def sentences(self) -> list[str]:
        return [line.sentence for line in self.lines]


@dataclass
class SectionView:
    slug: str
    title: str
    parts: list[PartView]


@dataclass(frozen=True)
class Inconsistency:
    title: str
    published: str  # the two figures the chapter gives
    explanation: str
    codes: tuple[str, ...]  # the indicators that model each definition


@dataclass
class Document:
    year: int
    computed_at: dt.datetime
    sections: list[SectionView]
    key_figures: list[Line]
    months: list[MonthFigures]
    published: list[IndicatorRow]  # every row with a published value, for the comparison page

    def rows(self) -> list[IndicatorRow]:
        """Every indicator once, in section order."""
        return [row for section in self.sections for part in section.parts for row in part.rows]

    def as_json(self) -> dict:
        return {
            "year": self.year,
            "computed_at": self.computed_at.isoformat(),
            "sections": [
                {
                    "slug": s.slug,
                    "title": s.title,
                    "parts": [
                        {
                            "title": p.title,
                            "indicators": [row.as_json() for row in p.rows],
                            "sentences": p.sentences,
                        }
                        for p in s.parts
                    ],
                }
                for s in self.sections
            ],
            "key_figures": [line.row.code for line in self.key_figures],
            "monthly_payments": [
                {"month": m.month.isoformat(), "paid": float(m.paid), "households": m.households}
                for m in self.months
            ],
        }


def _line(row: IndicatorRow) -> Line:
    return Line(row, sentence(row), change(row))


def _chart(spec: ChartSpec, rows: dict[str, IndicatorRow], year: int) -> Chart | None:
    shown = [rows[code] for code in spec.codes if code in rows and rows[code].value is not None]
    if not shown:
        return None
    return Chart(
        title=spec.title,
        categories=[row.label for row in shown],
        unit=shown[0].unit,
        series={
            str(year - 1): [row.previous for row in shown],
            str(year): [row.value for row in shown],
        },
        intervals={
            str(year - 1): [row.previous_interval for row in shown],
            str(year): [row.interval for row in shown],
        }
        if any(row.interval or row.previous_interval for row in shown)
        else {},
    )


def _monthly_chart(spec: ChartSpec, report: Report, by_code: dict) -> Chart | None:
    """The indicators of `spec` declared month by month, each a series over the year's months;
    None when none has a figure."""
    codes = [c for c in spec.codes if c in report.monthly and by_code[c].value is not None]
    if not codes:
        return None
    return Chart(
        title=f"{spec.title}, {report.year}",
        categories=list(MONTHS_SHORT),
        unit=by_code[codes[0]].unit,
        series={
            by_code[c].label: [report.monthly[c][(report.year, m)] for m in range(1, 13)]
            for c in codes
        },
        monthly=True,
    )


def _part(part: Part, rows: list[IndicatorRow], by_code: dict, report: Report) -> PartView:
    year = report.year
    charts = [_chart(spec, by_code, year) for spec in part.charts] + [
        _monthly_chart(spec, report, by_code) for spec in part.monthly_charts
    ]
    return PartView(
        title=part.title,
        lines=[_line(row) for row in rows],
        charts=[c for c in charts if c is not None],
    )


def document(report: Report) -> Document:
    """The report's rows placed in the chapter's sections (see SECTIONS)."""
    domains = indicator_domains()
    by_code = {row.code: row for row in report.rows}
    claimed: dict[tuple[int, int], list[IndicatorRow]] = {}
    others: list[IndicatorRow] = []
    for row in report.rows:
        place = next(
            (
                (s, p)
                for s, section in enumerate(SECTIONS)
                for p, part in enumerate(section.parts)
                if part.claims(domains.get(row.code, ""), row.code)
            ),
            None,
        )
        if place is None:
            others.append(row)
        else:
            claimed.setdefault(place, []).append(row)
    sections = [
        SectionView(
            section.slug,
            section.title,
            [
                _part(part, claimed[(s, p)], by_code, report)
                for p, part in enumerate(section.parts)
                if (s, p) in claimed
            ],
        )
        for s, section in enumerate(SECTIONS)
    ]
    if others:
        sections.append(
            SectionView(
                "autres-indicateurs",
                OTHERS_TITLE,
                [_part(Part(OTHERS_TITLE, ()), others, by_code, report)],
            )
        )
    return Document(
        year=report.year,
        computed_at=report.computed_at,
        sections=[s for s in sections if s.parts],
        key_figures=[_line(by_code[code]) for code in KEY_FIGURES if code in by_code],
        months=report.months,
        published=[row for row in report.rows if row.published is not None],
    )


# ---------------------------------------------------------------------------------------------
# The chapter's own inconsistencies

INCONSISTENCIES = (
    Inconsistency(
        "Prime d'activité obtenue après le datamining",
        "« 18 % d'entre elles (soit 72 allocataires) » sur 341 allocataires repérés",
        "72 ÷ 341 = 21,1 %, pas 18 %, et le rapport ne donne pas la base des 18 %. Les deux "
        "lectures sont calculées comme deux indicateurs : droits ouverts ÷ repérés, et droits "
        "ouverts ÷ allocataires effectivement contactés (la lecture retenue pour les 18 %).",
        (
            "outreach_rights_opened",
            "outreach_conversion_candidates",
            "outreach_conversion_contacted",
        ),
    ),
    Inconsistency(
        "Visites dans les accueils",
        "57 262 allocataires reçus (texte) ; 59 500 visites (chiffres clés)",
        "Le texte compte les allocataires reçus, tout type d'accueil ; les chiffres clés "
        "annoncent 59 500 visites en citant aussi les permanences de Civray, Loudun et "
        "Montmorillon. Le rapport n'explique pas l'écart de 2 238 (3,9 %) : permanences comptées "
        "à part, ou arrondi. La plateforme calcule les allocataires reçus et leur détail par site.",
        ("reception_visitors",),
    ),
    Inconsistency(
        "Prestations versées",
        "« près de 511 M€ » (texte) ; 549 M€ de prestations familiales et sociales (chiffres clés)",
        "Le rapport n'explique pas l'écart de 38 M€ : les chiffres clés comptent des prestations "
        "que le texte ne compte pas. La plateforme calcule le versé des 9 prestations modélisées "
        "(environ 88 % du total), comparé aux 511 M€.",
        ("paid_total",),
    ),
    Inconsistency(
        "Nombre de contrôles",
        "155 047 + 14 977 + 901 = 170 925 contrôles (texte) ; 186 144 contrôles (chiffres clés)",
        "Les chiffres clés comptent 15 219 contrôles de plus que la somme des trois natures, "
        "sans dire lesquels. Deux indicateurs : la somme des trois natures, et la définition des "
        "chiffres clés, non reproduite, dont l'écart au publié mesure ce qu'elle ajoute.",
        ("controls_total", "controls_total_key_figures"),
    ),
    Inconsistency(
        "Rendez-vous",
        "2 428 rendez-vous téléphoniques = 19,2 % des rendez-vous réalisés (soit ≈ 12 650) ; "
        "17 000 rendez-vous assurés par les gestionnaires-conseils (chiffres clés)",
        "Les parts publiées impliquent 2 428 ÷ 19,2 % ≈ 12 646 rendez-vous honorés ; les "
        "chiffres clés en annoncent 17 000, une autre définition que le rapport ne donne pas et "
        "qui n'est pas reproduite. La plateforme calcule les rendez-vous honorés.",
        ("reception_appointments_held", "reception_phone_held", "reception_phone_share"),
    ),
)


@dataclass(frozen=True)
class Explained:
    inconsistency: Inconsistency
    rows: list[IndicatorRow]  # the indicators that model it, with their computed values


def explained_inconsistencies(report: Report) -> list[Explained]:
    by_code = {row.code: row for row in report.rows}
    return [
        Explained(item, [by_code[code] for code in item.codes if code in by_code])
        for item in INCONSISTENCIES
    ]
