"""Bar charts drawn on the server as SVG geometry (no script): the template draws the bars and
the page gives the same figures in a table for those who do not see the chart."""

from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 640, 200
LEFT, BOTTOM, TOP = 8, 24, 20  # room for month labels below and values above


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # under the bar
    value: Decimal | int  # above it, formatted by the template
    label_x: float  # centre of the bar, for the texts


def bars(points: list[tuple[str, Decimal | int]]) -> list[Bar]:
    """One bar per (label, value), scaled to the largest value."""
    if not points:
        return []
    top = max(value for _, value in points) or 1
    slot = (WIDTH - LEFT) / len(points)
    usable = HEIGHT - BOTTOM - TOP
    drawn = []
    for i, (label, value) in enumerate(points):
        height = round(float(value) / float(top) * usable, 1)
        x = round(LEFT + i * slot + slot * 0.15, 1)
        drawn.append(
            Bar(
                x=x,
                y=round(HEIGHT - BOTTOM - height, 1),
                width=round(slot * 0.7, 1),
                height=height,
                label=label,
                value=value,
                label_x=round(x + slot * 0.35, 1),
            )
        )
    return drawn
