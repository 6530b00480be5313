"""Indicator values for a year, with the previous year and the seed's published value."""

from dataclasses import dataclass
from decimal import Decimal

from justedroit.core.indicators import Value, registered, report_cache


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

    @property
    def change(self) -> Value:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

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
        )
        for i in registered()
    ]
