"""Horizontal bar charts drawn on the server as SVG geometry (no script), for many long labels
(partners' names) that the indicators page's bars side by side cannot show. The template draws
the bars; the page gives the same figures in a table for those who do not see the chart."""

from dataclasses import dataclass
from decimal import Decimal

WIDTH, ROW_HEIGHT, LABEL_WIDTH, VALUE_WIDTH = 640, 22, 300, 60


@dataclass(frozen=True)
class Row:
    y: float  # top of the bar
    width: float
    label: str  # left of the bar
    value: Decimal | int  # right of it, formatted by the template
    text_y: float  # baseline of the texts
    value_x: float  # where the value is written, just past the bar


@dataclass(frozen=True)
class Rows:
    rows: list[Row]
    height: int  # of the whole SVG
    width: int = WIDTH
    bar_x: int = LABEL_WIDTH  # where the bars start


def rows(points: list[tuple[str, Decimal | int]], *, maximum: Decimal | int) -> Rows:
    """One horizontal bar per (label, value), `maximum` filling the width."""
    usable = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    top = float(maximum) or 1.0
    drawn = []
    for i, (label, value) in enumerate(points):
        width = round(max(0.0, min(float(value), top)) / top * usable, 1)
        drawn.append(
            Row(
                y=i * ROW_HEIGHT + 4,
                width=width,
                label=label,
                value=value,
                text_y=i * ROW_HEIGHT + 16,
                value_x=round(LABEL_WIDTH + width + 4, 1),
            )
        )
    return Rows(rows=drawn, height=len(points) * ROW_HEIGHT + 4)
