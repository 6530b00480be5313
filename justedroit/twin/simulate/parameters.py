"""How the twin's simulators declare their behavioural parameters: one frozen dataclass per
domain (`<domain>/parameters.py`), each field made by `parameter(value, source, meaning)`.

A source names the published figure the value comes from, or says « hypothèse » when none does;
`table()` lists them (docs/twin.md, tests). Published targets (volumes the indicators compare to)
stay in the domain's own `calibration.py`.
"""

import dataclasses
from typing import Any

HYPOTHESIS = "hypothèse"


def parameter(value: Any, source: str, meaning: str):
    """A dataclass field holding `value`, with its source and what it means."""
    metadata = {"source": source, "meaning": meaning}
    if isinstance(value, dict | list | set):
        return dataclasses.field(default_factory=lambda: value, metadata=metadata)
    return dataclasses.field(default=value, metadata=metadata)


def table(parameters) -> list[tuple[str, str, Any, str]]:
    """(name, meaning, value, source) for every parameter of a domain's table."""
    return [
        (
            f.name,
            f.metadata.get("meaning", ""),
            getattr(parameters, f.name),
            f.metadata.get("source", ""),
        )
        for f in dataclasses.fields(parameters)
    ]
