"""The indicators registry. Each domain declares its indicators in its own `indicators.py` with
`@indicator(...)`; the reporting app discovers those modules and computes them for a year."""

import contextlib
import functools
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal

Value = int | Decimal | None


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
