"""The indicators registry. Each domain declares its indicators in its own `indicators.py` with
`@indicator(...)`; the reporting app discovers those modules and computes them for a year."""

import contextlib
import dataclasses
import functools
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import ExtractMonth

Value = int | Decimal | None
MILLION = Decimal(1_000_000)
# An indicator month by month: month (1 to 12) → value, for a year.
Months = dict[int, Value]
# The confidence interval (low, high) of an indicator estimated from a sample, in its unit.
Interval = tuple[Decimal, Decimal]


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str  # French, shown to agents
    definition: str  # French: what is counted, how
    unit: str  # "foyers", "personnes", "%", "€", …
    compute: Callable[[int], Value]  # year → value
    published: dict[int, Value]  # the seed's published value by year, when there is one
    source: str = ""  # where the published value comes from
    # Which way is better for the people served: "higher", "lower", or "" when neither (a
    # volume). The indicators page colours a change by it, not by its sign.
    better: str = ""
    # The same figure month by month (year → Months), when the domain declares it with
    # `@by_month`: the dashboards' month and trend, the report's monthly charts.
    monthly: Callable[[int], Months] | None = None
    # For an estimate: year → its 95 % confidence interval, None without an estimate
    # (`@with_interval`); the report draws it as an error bar.
    interval: Callable[[int], Interval | None] | None = None


_REGISTRY: dict[str, Indicator] = {}


def indicator(
    *,
    code: str,
    label: str,
    definition: str,
    unit: str,
    published: dict[int, Value] | None = None,
    source: str = "",
    better: str = "",
):
    def register(compute: Callable[[int], Value]) -> Callable[[int], Value]:
        if better not in ("", "higher", "lower"):
            raise ValueError(f"Indicator {code}: better is 'higher', 'lower' or ''.")
        if code in _REGISTRY:
            raise ValueError(f"Indicator {code} is declared twice.")
        _REGISTRY[code] = Indicator(
            code, label, definition, unit, compute, published or {}, source, better
        )
        return compute

    return register


def _completes(code: str, field: str):
    """A decorator that gives the indicator `code`, declared before, its `field` function."""

    def register(compute):
        _REGISTRY[code] = dataclasses.replace(_REGISTRY[code], **{field: compute})
        return compute

    return register


def by_month(code: str):
    """Declare the month-by-month series of the indicator `code`, declared just before in the
    same module; a series of volumes adds up to the year's value
    (tests/reporting/test_dashboards.py)."""
    return _completes(code, "monthly")


def with_interval(code: str):
    """Declare the confidence interval of the indicator `code`, an estimate from a sample."""
    return _completes(code, "interval")


def per_month(rows: QuerySet, field: str, *, total: str | None = None) -> Months:
    """The rows of a year counted (or their `total` field summed) by the month of `field`, in
    Paris time; a month without rows gives 0."""
    found = dict(
        rows.order_by()  # an ordering would join the grouping and split the months
        .annotate(_month=ExtractMonth(field))
        .values("_month")
        .annotate(_value=Sum(total) if total else Count("pk"))
        .values_list("_month", "_value")
    )
    return {month: found.get(month) or 0 for month in range(1, 13)}


def combine(function: Callable[..., Value], *series: Months) -> Months:
    """Month by month, `function` of the series' values (a sum, a ratio)."""
    return {month: function(*(s[month] for s in series)) for month in range(1, 13)}


def in_millions(value: Decimal) -> Decimal:
    """An amount in € as the chapter writes it, in M€ to the hundredth."""
    return (value / MILLION).quantize(Decimal("0.01"))


def millions_per_month(rows: QuerySet, field: str, total: str) -> Months:
    """The rows' `total` amounts summed by the month of `field`, in M€ (`per_month`)."""
    return combine(in_millions, per_month(rows, field, total=total))


def counting(rows: Callable[[int], QuerySet], on: str, **declaration) -> Callable[[int], int]:
    """Declare an indicator that counts the year's `rows` (year → queryset), and its series by
    the month of their date `on`: the same rows, so the months add up to the year."""

    def compute(year: int) -> int:
        return rows(year).count()

    def monthly(year: int) -> Months:
        return per_month(rows(year), on)

    # The indicator belongs to the domain whose module gives the rows (see indicator_domains in
    # reporting.document), not to this module.
    compute.__module__ = monthly.__module__ = rows.__module__
    indicator(**declaration)(compute)
    by_month(declaration["code"])(monthly)
    return compute


def registered() -> list[Indicator]:
    return list(_REGISTRY.values())


_REPORT_CACHE: ContextVar[dict | None] = ContextVar("indicator_report_cache", default=None)


@contextlib.contextmanager
def report_cache() -> Iterator[None]:
    """While a report computes its indicators, shared aggregates are computed once."""
    token = _REPORT_CACHE.set({})
    try:
        yield
    finally:
        _REPORT_CACHE.reset(token)


def shared_within_report(function):
    """Memoise a selector that several indicators call with the same arguments (e.g. the
    amounts paid per benefit), for the duration of `report_cache()` only: never stale."""

    @functools.wraps(function)
    def cached(*args):
        cache = _REPORT_CACHE.get()
        if cache is None:
            return function(*args)
        key = (function.__qualname__, args)
        if key not in cache:
            cache[key] = function(*args)
        return cache[key]

    return cached
