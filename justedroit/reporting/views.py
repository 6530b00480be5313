import json

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from justedroit.core import clock
from justedroit.core.exports import csv_response
from justedroit.core.french import MONTHS_SHORT
from justedroit.core.web import requires, year_param
from justedroit.reporting import charts, document, perms, renderers, selectors


def _year(request) -> int:
    today = clock.today()
    return year_param(request, default=today.year if today.month == 12 else today.year - 1)


@require_http_methods(["GET", "POST"])
@requires(perms.can_view_indicators)
def indicators(request):
    year = _year(request)
    if request.method == "POST":  # "Recalculer maintenant": then back to the page (GET)
        selectors.indicator_report(year, recompute=True)
        return redirect(f"{reverse('reporting:indicators')}?annee={year}")
    report = selectors.indicator_report(year)
    short = [MONTHS_SHORT[m.month.month - 1] for m in report.months]
    return render(
        request,
        "reporting/indicators.html",
        {
            "year": year,
            "report": report,
            "rows": report.rows,
            "paid_bars": charts.bars(
                [(s, m.paid) for s, m in zip(short, report.months, strict=True)]
            ),
            "household_bars": charts.bars(
                [(s, m.households) for s, m in zip(short, report.months, strict=True)]
            ),
            "chart": {"width": charts.WIDTH, "height": charts.HEIGHT},
        },
    )


@require_GET
@requires(perms.can_view_indicators)
def indicators_csv(request):
    year = _year(request)
    report = selectors.indicator_report(year)
    return csv_response(
        filename=f"indicateurs-{year}.csv",
        header=[
            "Indicateur",
            "Unité",
            str(year),
            str(year - 1),
            "Évolution",
            "Sens souhaité",
            "Publié",
            "Écart au publié (%)",
            "Calculé le",
        ],
        rows=(
            [
                row.label,
                row.unit,
                row.value,
                row.previous,
                row.change,
                {"higher": "à la hausse", "lower": "à la baisse"}.get(row.better, ""),
                row.published,
                row.gap_to_published,
                report.computed_at,
            ]
            for row in report.rows
        ),
    )


def _document(request) -> document.Document:
    return document.document(selectors.indicator_report(_year(request)))


@require_GET
@requires(perms.can_view_report)
def report(request):
    shown = _document(request)
    return render(request, "reporting/report.html", renderers.context(shown))


@require_GET
@requires(perms.can_view_report)
def report_pdf(request):
    shown = _document(request)
    response = HttpResponse(renderers.pdf(shown), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="rapport-{shown.year}.pdf"'
    return response


@require_GET
@requires(perms.can_view_report)
def report_json(request):
    shown = _document(request)
    response = HttpResponse(
        json.dumps(shown.as_json(), ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="rapport-{shown.year}.json"'
    return response


@require_GET
@requires(perms.can_view_report)
def inconsistencies(request):
    year = _year(request)
    items = document.explained_inconsistencies(selectors.indicator_report(year))
    return render(request, "reporting/inconsistencies.html", {"year": year, "items": items})
