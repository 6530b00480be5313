"""Indicator values for a year, with the previous year and the seed's published value; the
year's monthly payment series; the whole report kept in the cache with the instant it was
computed, until the data changes or someone asks for a recomputation."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.core.cache import cache
from django.db.models import Max

from justedroit.core import clock
from justedroit.core.indicators import Value, registered, report_cache
from justedroit.entitlements.selectors import paid_by_month

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


def monthly_payments(year: int) -> list[MonthFigures]:
    return [MonthFigures(*row) for row in paid_by_month(year)]


def data_version() -> tuple:
    """Changes whenever a row is added to any table of the project (the last key of each): the
    cached report is then stale. Rows are mostly appended (ledgers, facts, events, audit rows
    of every agent action); an edit in place shows at the latest with the next audit row."""
    return tuple(
        model._default_manager.aggregate(last=Max("pk"))["last"]
        for model in apps.get_models()
        if model.__module__.startswith("justedroit.") and not model._meta.proxy
    )


def indicator_report(year: int, *, recompute: bool = False) -> Report:
    """The year's report from the cache when the data has not changed since it was computed
    (and `recompute` is not asked), else computed now and kept."""
    key = f"reporting:indicators:{year}"
    version = data_version()
    kept = None if recompute else cache.get(key)
    if kept is not None and kept[0] == version:
        return kept[1]
    report = Report(year, indicator_rows(year), monthly_payments(year), clock.now())
    cache.set(key, (version, report), CACHE_SECONDS)
    return report
