"""Web layer: the annual report drawn as HTML (the agents' page and the exported file share one
template) and as PDF from that same HTML (xhtml2pdf, which draws the SVG charts through svglib),
with its charts made by the shared chart module."""

from dataclasses import dataclass
from io import BytesIO

from django.template.loader import render_to_string
from xhtml2pdf import pisa

from justedroit.core import charts
from justedroit.core.french import MONTHS_SHORT
from justedroit.reporting.document import INCONSISTENCIES, Document, PartView

MILLION = 1_000_000


@dataclass(frozen=True)
class DrawnPart:
    part: PartView
    charts: list[charts.Chart]


def _part_charts(part: PartView) -> list[charts.Chart]:
    return [
        charts.bars(title=c.title, categories=c.categories, series=c.series, unit=c.unit)
        for c in part.charts
    ]


def payments_chart(document: Document) -> charts.Chart | None:
    if not document.months:
        return None
    return charts.bars(
        title=f"Montant versé chaque mois de {document.year} (M€)",
        categories=[MONTHS_SHORT[m.month.month - 1] for m in document.months],
        series={str(document.year): [round(m.paid / MILLION, 2) for m in document.months]},
        unit="M€",
        horizontal=False,
    )


def context(document: Document) -> dict:
    """What the report's template needs: the document, each part with its drawn charts."""
    return {
        "document": document,
        "year": document.year,
        "sections": [
            (section, [DrawnPart(part, _part_charts(part)) for part in section.parts])
            for section in document.sections
        ],
        "payments_chart": payments_chart(document),
        "inconsistencies": INCONSISTENCIES,
    }


def html(document: Document) -> str:
    """The standalone HTML file of the report (no site navigation)."""
    return render_to_string("reporting/report_file.html", context(document))


def pdf(document: Document) -> bytes:
    """The PDF drawn from the standalone HTML; ValueError when it cannot be drawn."""
    out = BytesIO()
    # capacity=-1: the working copies stay in memory. Past the default 100 kB (charts included)
    # xhtml2pdf spills them to temporary files that it never closes.
    result = pisa.CreatePDF(html(document), dest=out, encoding="utf-8", capacity=-1)
    if result.err:
        raise ValueError("Le rapport n'a pas pu être converti en PDF.")
    return out.getvalue()
