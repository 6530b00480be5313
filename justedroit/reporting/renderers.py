"""Web layer: the annual report drawn as HTML (the agents' page and the exported file share one
template) and as PDF from that same HTML (xhtml2pdf, which draws the SVG charts through svglib),
with its charts made by the shared chart module."""

import base64
import datetime as dt
from dataclasses import dataclass

from django.template.loader import render_to_string

from justedroit.channels import storage
from justedroit.core import charts
from justedroit.core.french import MONTHS_SHORT
from justedroit.core.pdf import html_to_pdf
from justedroit.core.renders import kept
from justedroit.reporting import selectors
from justedroit.reporting.dashboards import DashboardView, Tile
from justedroit.reporting.document import INCONSISTENCIES, Document, PartView
from justedroit.reporting.models import NewsItem
from justedroit.reporting.selectors import Report

MILLION = 1_000_000


@dataclass(frozen=True)
class DrawnPart:
    part: PartView
    charts: list[charts.Chart]


def _part_charts(part: PartView) -> list[charts.Chart]:
    return [
        charts.bars(
            title=c.title,
            categories=c.categories,
            series=c.series,
            unit=c.unit,
            horizontal=not c.monthly,
            intervals=c.intervals,
        )
        for c in part.charts
    ]


def _monthly(report: Report | Document, title: str, values: list) -> charts.Chart | None:
    if not report.months:
        return None
    return charts.bars(
        title=title,
        categories=[MONTHS_SHORT[m.month.month - 1] for m in report.months],
        series={str(report.year): values},
        horizontal=False,
    )


def payments_chart(report: Report | Document) -> charts.Chart | None:
    return _monthly(
        report,
        f"Montant versé chaque mois de {report.year}, toutes prestations (M€)",
        [round(m.paid / MILLION, 2) for m in report.months],
    )


def households_chart(report: Report) -> charts.Chart | None:
    return _monthly(
        report, f"Foyers payés chaque mois de {report.year}", [m.households for m in report.months]
    )


def month_label(month: dt.date) -> str:
    """'janv. 2022': a month on a chart's axis and in its text."""
    return f"{MONTHS_SHORT[month.month - 1]} {month.year}"


def trend_chart(tile: Tile) -> charts.Chart:
    """An indicator over the 12 months ending with the dashboard's month."""
    months = [month for month, _ in tile.trend]
    return charts.bars(
        title=f"{tile.row.label}, de {month_label(months[0])} à {month_label(months[-1])}",
        categories=[month_label(month) for month in months],
        series={tile.row.label: [value for _, value in tile.trend]},
        unit=tile.row.unit,
    )


def trend_charts(view: DashboardView) -> list[tuple[Tile, charts.Chart]]:
    return [(tile, trend_chart(tile)) for tile in view.monthly]


def image_uri(item: NewsItem) -> str | None:
    """A « Temps forts » image inside the page (the HTML file and the PDF need no other file)."""
    if not item.image:
        return None
    content = storage.path_of(item.image).read_bytes()
    return f"data:{item.image_type};base64,{base64.b64encode(content).decode()}"


def context(document: Document) -> dict:
    """What the report's template needs: the document; each section with its parts, their drawn
    charts and the free text of the year's last version; the year's « Temps forts »."""
    version = selectors.report_versions(document.year).first()
    texts = selectors.current_texts(version) if version else {}
    return {
        "document": document,
        "year": document.year,
        "version": version,
        "sections": [
            (
                section,
                [DrawnPart(part, _part_charts(part)) for part in section.parts],
                texts.get(section.slug),
            )
            for section in document.sections
        ],
        "payments_chart": payments_chart(document),
        "inconsistencies": INCONSISTENCIES,
        "news": [(item, image_uri(item)) for item in selectors.news_items(document.year)],
    }


def html(document: Document, *, for_pdf: bool = False) -> str:
    """The standalone HTML file of the report (no site navigation)."""
    return render_to_string("reporting/report_file.html", context(document) | {"for_pdf": for_pdf})


def pdf(document: Document) -> bytes:
    """The PDF drawn from the standalone HTML; ValueError when it cannot be drawn. Drawing takes
    seconds: the same HTML (same figures, texts, news and images) gives the PDF drawn before,
    kept in the "renders" cache under its digest."""
    page = html(document, for_pdf=True)
    return kept("report-pdf", page, lambda: html_to_pdf(page))
