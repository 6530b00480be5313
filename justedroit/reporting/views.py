import datetime as dt
import json

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from justedroit.core import clock
from justedroit.core.exports import csv_response
from justedroit.core.web import (
    BadParameter,
    month_in_range,
    requires,
    submit_action,
    submit_form,
    year_param,
)
from justedroit.reporting import dashboards, document, forms, perms, renderers, selectors, services
from justedroit.reporting.models import ReportVersion


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
    return render(
        request,
        "reporting/indicators.html",
        {
            "year": year,
            "report": report,
            "rows": report.rows,
            "monthly_charts": [
                renderers.payments_chart(report),
                renderers.households_chart(report),
            ],
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


@require_http_methods(["GET", "POST"])
@requires(perms.can_view_report, post=perms.can_edit_report)
def report(request):
    year = _year(request)
    text_form, news_form = forms.SectionTextForm(), forms.NewsItemForm()
    versions = list(selectors.report_versions(year))
    if request.method == "POST":
        action = request.POST.get("form")
        here = f"{reverse('reporting:report')}?annee={year}"
        if action == "version":
            submit_action(
                request,
                lambda: services.report_version_create(
                    document=document.document(selectors.indicator_report(year, recompute=True)),
                    acting_user=request.user,
                ),
                said=lambda version: f"Version {version.number} du rapport enregistrée.",
            )
            return redirect(here)
        if action == "text":
            text_form = forms.SectionTextForm(request.POST)
            if done := submit_form(
                request,
                text_form,
                lambda data: services.section_text_set(
                    version=_last(versions),
                    section=data["section"],
                    text=data["text"],
                    acting_user=request.user,
                ),
                said=lambda _: "Texte de la section enregistré.",
                then=lambda _: redirect(here),
            ):
                return done
        elif action == "news":
            news_form = forms.NewsItemForm(request.POST, request.FILES)
            if done := submit_form(
                request,
                news_form,
                lambda data: services.news_item_create(
                    acting_user=request.user,
                    published_on=data["published_on"],
                    title=data["title"],
                    text=data["text"],
                    image=_read(data["image"]),
                    image_alt=data["image_alt"],
                ),
                said=lambda _: "Temps fort ajouté.",
                then=lambda _: redirect(here),
            ):
                return done
        else:
            raise BadParameter("Formulaire inconnu.")
    shown = document.document(selectors.indicator_report(year))
    return render(
        request,
        "reporting/report.html",
        renderers.context(shown)
        | {
            "versions": versions,
            "can_edit": perms.can_edit_report(request.user),
            "show_authors": True,
            "text_form": text_form,
            "news_form": news_form,
        },
        status=400 if request.method == "POST" else 200,
    )


def _read(upload) -> bytes | None:
    """An uploaded file's bytes, one beyond the service's limit at most (enough to refuse it)."""
    return upload.read(services.IMAGE_MAX_BYTES + 1) if upload else None


def _last(versions: list) -> ReportVersion:
    if not versions:
        raise ValidationError("Enregistrez d'abord une version du rapport.")
    return versions[0]


@require_GET
@requires(perms.can_view_report)
def report_version(request, year: int, number: int):
    versions = {v.number: v for v in selectors.report_versions(year)}
    if number not in versions:
        raise Http404
    earlier = versions.get(number - 1)
    changes = selectors.version_changes(
        earlier.figures if earlier else {}, versions[number].figures
    )
    return render(
        request,
        "reporting/report_version.html",
        {
            "year": year,
            "version": versions[number],
            "earlier": earlier,
            "changes": changes,
            "fields": selectors.FIELDS,
        },
    )


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


def _month(request) -> dt.date:
    """The month asked (`mois=AAAA-MM`), else the last month ended."""
    raw = request.GET.get("mois", "").strip()
    if not raw:
        return clock.add_months(clock.today().replace(day=1), -1)
    try:
        return month_in_range(raw)
    except ValueError as error:
        raise BadParameter(str(error)) from None


@require_GET
@requires(perms.can_view_dashboards)
def dashboard_list(request):
    month = _month(request)
    return render(
        request,
        "reporting/dashboards.html",
        {"dashboards": dashboards.DASHBOARDS, "month": month},
    )


@require_http_methods(["GET", "POST"])
@requires(perms.can_view_dashboards, post=perms.can_set_targets)
def dashboard(request, slug: str):
    shown = dashboards.BY_SLUG.get(slug)
    if shown is None:
        raise Http404
    month = _month(request)
    report = selectors.indicator_report(month.year)
    targets = selectors.targets(month.year)
    view = dashboards.dashboard_view(shown, report, month.month, targets)
    form = forms.TargetForm(
        request.POST or None, indicators=[(t.row.code, t.row.label) for t in view.tiles]
    )
    here = f"{reverse('reporting:dashboard', args=[slug])}?mois={month:%Y-%m}"
    if done := submit_form(
        request,
        form,
        lambda data: services.target_set(
            code=data["code"],
            year=month.year,
            value=data["value"],
            source=data["source"],
            acting_user=request.user,
        ),
        said=lambda target: f"Cible {target.year} enregistrée.",
        then=lambda _: redirect(here),
    ):
        return done
    return render(
        request,
        "reporting/dashboard.html",
        {
            "view": view,
            "month": month,
            "charts": renderers.trend_charts(view),
            "can_set_targets": perms.can_set_targets(request.user),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )
