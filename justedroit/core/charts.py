"""Web layer: static bar charts drawn on the server by matplotlib as SVG, for the pages and the
PDF alike (xhtml2pdf draws SVG through svglib). Each chart is a `matplotlib.figure.Figure` of its
own, drawn by the SVG canvas that `savefig` picks for the format: no pyplot, so no global
figure state shared between requests and no interactive backend to choose.

A chart never stands alone: the SVG carries a <title> and a <desc> giving every figure, and the
page shows the same figures in a table for those who do not see it."""

import base64
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

import matplotlib
from matplotlib.figure import Figure

from justedroit.core.french import number_fr
from justedroit.core.renders import kept

Number = Decimal | int | float | None
Interval = tuple[Number, Number]  # (low, high)
# One colour per series, in the order given (previous year light, chosen year dark), each with
# a contrast of at least 3:1 on white (WCAG 1.4.11).
COLOURS = ("#6a6af4", "#000091", "#757575", "#c9191e")
WIDTH_INCHES = 7.0
# Text as <text>, not a path per letter: svglib draws thousands of glyph paths slowly, and the
# PDF's charts become searchable. The text names DejaVu Sans, which matplotlib measures it with
# and the PDF draws it in (`core.pdf`), then any sans-serif for a browser without it.
matplotlib.rcParams.update({"svg.fonttype": "none", "font.sans-serif": ["DejaVu Sans"]})


@dataclass(frozen=True)
class Chart:
    title: str
    description: str  # every figure, in words: the SVG's <desc> and the image's long text
    svg: str  # a standalone SVG document

    @property
    def data_uri(self) -> str:
        """For an <img src>: the same drawing in the page and in the PDF."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


def _number(value: Number) -> str:
    return number_fr(value) if value is not None else "—"


def _value(value: Number, interval: Interval | None) -> str:
    if interval is None or value is None:
        return _number(value)
    low, high = interval
    return f"{_number(value)}, intervalle de confiance à 95 % de {_number(low)} à {_number(high)}"


def _describe(
    title: str,
    categories: Sequence[str],
    series: dict[str, Sequence[Number]],
    unit: str,
    intervals: dict[str, Sequence[Interval | None]],
) -> str:
    parts = []
    for i, category in enumerate(categories):
        values = " ; ".join(
            f"{name} : {_value(v[i], intervals[name][i] if name in intervals else None)}"
            for name, v in series.items()
        )
        parts.append(f"{category} ({values})")
    suffix = f" (en {unit})" if unit else ""
    return f"{title}{suffix}. " + " — ".join(parts) + "."


def _svg(figure: Figure, title: str, description: str) -> str:
    out = io.StringIO()
    figure.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = out.getvalue()
    svg = svg[svg.index("<svg") :]  # without the XML declaration and doctype
    # The accessible name and description, first children of <svg> as SVG 1.1 wants them.
    opening = re.match(r"<svg[^>]*>", svg)
    assert opening is not None
    head = opening.group(0).replace("<svg", '<svg role="img"', 1)
    return (
        head
        + f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
        + svg[opening.end() :]
    )


def _errors(
    values: Sequence[Number], intervals: Sequence[Interval | None] | None
) -> list[list[float]] | None:
    """matplotlib's error bars: the distances below and above each value (0 without one)."""
    if intervals is None:
        return None
    below, above = [], []
    for value, interval in zip(values, intervals, strict=True):
        if value is None or interval is None or None in interval:
            below.append(0.0)
            above.append(0.0)
        else:
            below.append(float(value) - float(interval[0]))
            above.append(float(interval[1]) - float(value))
    return [below, above]


def _figure(rows: int) -> Figure:
    return Figure(figsize=(WIDTH_INCHES, max(1.6, 0.45 * rows + 0.9)), dpi=96)


def bars(
    *,
    title: str,
    categories: Sequence[str],
    series: dict[str, Sequence[Number]],
    unit: str = "",
    horizontal: bool = True,
    maximum: Number = None,
    intervals: dict[str, Sequence[Interval | None]] | None = None,
) -> Chart:
    """Bars per category, one colour per series (e.g. '2021', '2022'); a missing value draws no
    bar. Horizontal by default: long French labels stay readable. `maximum` fixes the end of
    the value axis (100 for rates). `intervals`, by series, gives each bar's confidence
    interval (or None), drawn as an error bar and written in the description.

    A chart depends on its arguments alone: drawn once (a quarter of a second each, thirty in
    the report), then taken from the "renders" cache under their digest."""
    arguments = (title, list(categories), series, unit, horizontal, maximum, intervals or {})
    return kept("chart", repr(arguments), lambda: _bars(*arguments))


def _bars(
    title: str,
    categories: Sequence[str],
    series: dict[str, Sequence[Number]],
    unit: str,
    horizontal: bool,
    maximum: Number,
    intervals: dict[str, Sequence[Interval | None]],
) -> Chart:
    description = _describe(title, categories, series, unit, intervals)
    figure = _figure(len(categories) * max(1, len(series)) if horizontal else 4)
    axes = figure.add_subplot()
    count = max(1, len(series))
    thickness = 0.8 / count
    positions = range(len(categories))
    for k, (name, values) in enumerate(series.items()):
        offsets = [p - 0.4 + thickness * (k + 0.5) for p in positions]
        heights = [float(v) if v is not None else 0.0 for v in values]
        colour = COLOURS[k % len(COLOURS)] if count > 1 else COLOURS[1]
        errors = _errors(values, intervals.get(name))
        if horizontal:
            drawn = axes.barh(
                offsets, heights, height=thickness, label=name, color=colour, xerr=errors
            )
        else:
            drawn = axes.bar(
                offsets, heights, width=thickness, label=name, color=colour, yerr=errors
            )
        for i, bar in enumerate(drawn):  # named, so that a test can count the bars drawn
            bar.set_gid(f"barre-{k}-{i}")
        if drawn.errorbar is not None:
            drawn.errorbar.lines[2][0].set_gid(f"intervalles-{k}")
        axes.bar_label(
            drawn, labels=[_number(v) if v is not None else "" for v in values], padding=3
        )
    if horizontal:
        axes.set_yticks(list(positions), labels=list(categories))
        axes.invert_yaxis()
        axes.xaxis.set_visible(False)
        if maximum is not None:
            axes.set_xlim(0, float(maximum) * 1.1)
    else:
        axes.set_xticks(list(positions), labels=list(categories))
        axes.yaxis.set_visible(False)
        if maximum is not None:
            axes.set_ylim(0, float(maximum) * 1.1)
    axes.margins(x=0.15 if horizontal else 0.02, y=0.02 if horizontal else 0.15)
    for side in ("top", "right", "bottom" if horizontal else "left"):
        axes.spines[side].set_visible(False)
    if len(series) > 1:
        axes.legend(frameon=False, loc="lower right" if horizontal else "upper right")
    return Chart(title, description, _svg(figure, title, description))
