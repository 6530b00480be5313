"""Indicator values for a year, with the previous year and the seed's published value; the
year's monthly payment series; the whole report kept in the cache with the instant it was
computed, until the data changes or someone asks for a recomputation."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.core.cache import cache
from django.db import connection

from justedroit.core import clock
from justedroit.core.indicators import Interval, Value, registered, report_cache
from justedroit.core.models import AuditAction, AuditEvent
from justedroit.entitlements.selectors import paid_by_month
from justedroit.reporting.models import NewsItem, ReportVersion, SectionText, Target

CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class IndicatorRow:
    code: str
    label: str
    definition: str
    unit: str
    year: int
    value: Value
    previous: Value
    published: Value
    source: str
    better: str = ""
    # The 95 % confidence intervals of an estimate (`core.indicators.with_interval`).
    interval: Interval | None = None
    previous_interval: Interval | None = None

    @property
    def change(self) -> Value:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def trend(self) -> str:
        """'better', 'worse' or 'neutral' for the people served (not the sign of the change)."""
        if not self.change or not self.better:
            return "neutral"
        return "better" if (self.change > 0) == (self.better == "higher") else "worse"

    @property
    def gap_to_published(self) -> Decimal | None:
        """Relative gap (%) between the twin's value and the published one."""
        if self.value is None or not self.published:
            return None
        return (Decimal(self.value - self.published) * 100 / Decimal(self.published)).quantize(
            Decimal("0.01")
        )

    def as_json(self) -> dict:
        def plain(value):
            return float(value) if isinstance(value, Decimal) else value

        return {
            "code": self.code,
            "label": self.label,
            "definition": self.definition,
            "unit": self.unit,
            "year": self.year,
            "value": plain(self.value),
            "previous": plain(self.previous),
            "published": plain(self.published),
            "gap_to_published_percent": plain(self.gap_to_published),
            "confidence_interval_95": [plain(v) for v in self.interval] if self.interval else None,
            "source": self.source,
        }


def indicator_rows(year: int) -> list[IndicatorRow]:
    with report_cache():
        return _rows(year)


def _rows(year: int) -> list[IndicatorRow]:
    return [
        IndicatorRow(
            code=i.code,
            label=i.label,
            definition=i.definition,
            unit=i.unit,
            year=year,
            value=i.compute(year),
            previous=i.compute(year - 1),
            published=i.published.get(year),
            source=i.source,
            better=i.better,
            interval=i.interval(year) if i.interval else None,
            previous_interval=i.interval(year - 1) if i.interval else None,
        )
        for i in registered()
    ]


@dataclass(frozen=True)
class MonthFigures:
    month: dt.date
    paid: Decimal  # all benefits, €
    households: int


@dataclass(frozen=True)
class Report:
    year: int
    rows: list[IndicatorRow]
    months: list[MonthFigures]
    computed_at: dt.datetime
    # code → {(year, month): value}, the year's months and the previous year's, for the
    # indicators a domain declares month by month (`core.indicators.by_month`).
    monthly: dict[str, dict[tuple[int, int], Value]]

    def last_months(self, code: str, month: int, count: int = 12) -> list[tuple[dt.date, Value]]:
        """The `count` months ending with `month` of the year (None for a month not kept)."""
        series = self.monthly.get(code, {})
        first = self.year * 12 + month - count  # months since year 0, January = 0
        return [
            (dt.date(m // 12, m % 12 + 1, 1), series.get((m // 12, m % 12 + 1)))
            for m in range(first, first + count)
        ]


def monthly_rows(year: int) -> dict[str, dict[tuple[int, int], Value]]:
    """Every month of `year` and `year - 1` of the indicators declared month by month."""
    with report_cache():
        return {
            i.code: {(y, m): v for y in (year - 1, year) for m, v in i.monthly(y).items()}
            for i in registered()
            if i.monthly is not None
        }


def monthly_payments(year: int) -> list[MonthFigures]:
    return [MonthFigures(*row) for row in paid_by_month(year)]


# The tables the indicators and the monthly payments read. tests/test_indicators.py compares
# this list with the tables the queries of a report on the twin name, both ways: an indicator
# that starts reading another table fails it until the table is listed here.
READ_TABLES = (
    "appeals.AppealCase",
    "appeals.CourtCase",
    "appeals.Decision",
    "channels.Call",
    "channels.Document",
    "channels.EmailMessage",
    "channels.EmailThread",
    "channels.Procedure",
    "controls.Control",
    "entitlements.Payment",
    "fraud.FraudFile",
    "fraud.FraudQualification",
    "fraud.PreventionLetter",
    "outreach.Campaign",
    "outreach.CollectiveAction",
    "outreach.InformationMeeting",
    "outreach.MeetingInvitation",
    "outreach.Partner",
    "outreach.WelcomeEmail",
    "quality.Review",
    "quality.SamplingPlan",
    "reception.Appointment",
    "reception.Site",
    "reception.Ticket",
    "recovery.ContentiousStep",
    "recovery.Debt",
    "recovery.DebtEntry",
    "registry.Claim",
    "registry.Commune",
    "registry.Household",
    "registry.Membership",
    "registry.Person",
    "registry.ProcessingAct",
)
# Audit rows of a change (not of a consultation, a search, a login or an export).
CHANGES = (AuditAction.CREATE, AuditAction.UPDATE, AuditAction.ERASE)


def data_version() -> tuple:
    """Changes whenever a row is added to a table the report reads (the last key of each), or an
    agent or a batch changes something (the last audit row of a change): the cached report is
    then stale. A consultation, which writes an audit row too, leaves it as it was. One query:
    each table's part reads the end of its primary key; the audit part reads back from the last
    row to the last change."""
    name = connection.ops.quote_name
    lasts = [
        f"(SELECT MAX({name(model._meta.pk.column)}) FROM {name(model._meta.db_table)})"
        for model in map(apps.get_model, READ_TABLES)
    ]
    placeholders = ", ".join(["%s"] * len(CHANGES))
    lasts.append(
        f"(SELECT MAX(id) FROM {name(AuditEvent._meta.db_table)} WHERE action IN ({placeholders}))"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(lasts), [str(action) for action in CHANGES])
        return tuple(cursor.fetchone())


def indicator_report(year: int, *, recompute: bool = False) -> Report:
    """The year's report from the cache when the data has not changed since it was computed
    (and `recompute` is not asked), else computed now and kept."""
    key = f"reporting:indicators:{year}"
    version = data_version()
    kept = None if recompute else cache.get(key)
    if kept is not None and kept[0] == version:
        return kept[1]
    report = Report(
        year, indicator_rows(year), monthly_payments(year), clock.now(), monthly_rows(year)
    )
    cache.set(key, (version, report), CACHE_SECONDS)
    return report


# ---------------------------------------------------------------------------------------------
# The report's versions, texts and news


@dataclass(frozen=True)
class Change:
    code: str
    label: str
    unit: str
    field: str  # "value", "previous" or "published"
    before: object
    after: object


FIELDS = {"value": "valeur de l'année", "previous": "année précédente", "published": "publié"}


def report_versions(year: int):
    return ReportVersion.objects.filter(year=year).select_related("built_by").order_by("-number")


def version_changes(before: dict, after: dict) -> list[Change]:
    """What changed in the figures from one version to the next (an indicator added or gone
    shows as a change from or to nothing)."""
    changes = []
    for code in sorted(set(before) | set(after)):
        old, new = before.get(code, {}), after.get(code, {})
        named = new or old
        for field in FIELDS:
            if old.get(field) != new.get(field):
                changes.append(
                    Change(
                        code, named["label"], named["unit"], field, old.get(field), new.get(field)
                    )
                )
    return changes


def current_texts(version: ReportVersion) -> dict[str, SectionText]:
    """Section → its text in the version: the last one written (each edit is a new row)."""
    return {
        text.section: text
        for text in version.texts.select_related("edited_by").order_by("edited_at", "pk")
    }


def targets(year: int) -> dict[str, Target]:
    """Indicator code → its target for the year, when one is set."""
    return {
        t.code: t
        for t in Target.objects.filter(year=year, value__isnull=False).select_related("set_by")
    }


def news_items(year: int):
    return NewsItem.objects.filter(published_on__year=year)
