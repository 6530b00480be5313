from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from justedroit.core import clock
from justedroit.core.exports import csv_response
from justedroit.core.french import MONTHS_SHORT
from justedroit.core.web import requires, year_param
from justedroit.reporting import charts, perms, selectors


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
