"""The indicators registry. Each domain declares its indicators in its own `indicators.py` with
`@indicator(...)`; the reporting app discovers those modules and computes them for a year."""

from collections.abc import Callable
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


_REGISTRY: dict[str, Indicator] = {}


def indicator(
    *,
    code: str,
    label: str,
    definition: str,
    unit: str,
    published: dict[int, Value] | None = None,
    source: str = "",
):
    def register(compute: Callable[[int], Value]) -> Callable[[int], Value]:
        if code in _REGISTRY:
            raise ValueError(f"Indicator {code} is declared twice.")
        _REGISTRY[code] = Indicator(code, label, definition, unit, compute, published or {}, source)
        return compute

    return register


def registered() -> list[Indicator]:
    return list(_REGISTRY.values())
