"""The verifier's pages (plans, a plan's results with their chart, the review of a sampled act),
an agent's own results and the managers' results per agent. Pages that show households are
recorded in the audit trail."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from justedroit.core import clock
from justedroit.core.audit import display_record
from justedroit.core.web import (
    FIRST_YEAR,
    BadParameter,
    month_in_range,
    requires,
    submit_action,
    submit_form,
    year_param,
)
from justedroit.quality import perms, selectors, services
from justedroit.quality.forms import (
    ActionForm,
    CloseActionForm,
    PilotForm,
    PlanForm,
    ProcessActionForm,
    ReviewForm,
    SupervisionForm,
    TargetForm,
)
from justedroit.quality.models import ActionKind
from justedroit.quality.services import Correction, PlanInput

WIDTH, ROW, LEFT = 640, 28, 200


@require_http_methods(["GET", "POST"])
@requires(perms.can_view_verification, post=perms.can_review_acts)
def plans(request):
    form = PlanForm(request.POST or None)

    def draw(data):
        return services.plan_draw(
            plan=PlanInput(
                name=data["name"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                method=data["method"],
                stratify_by=data["stratify_by"],
                expected_rate=data["expected_rate"],
                margin=data["margin"],
                size=data["size"],
                seed=data["seed"],
            ),
            acting_user=request.user,
        )

    if done := submit_form(
        request,
        form,
        draw,
        said=lambda drawn: f"{drawn.size} actes tirés (graine {drawn.seed}).",
        then=lambda drawn: redirect("quality:plan", pk=drawn.pk),
    ):
        return done
    return render(
        request,
        "quality/plans.html",
        {
            "plans": selectors.plans(),
            "form": form,
            "can_review": perms.can_review_acts(request.user),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@requires(perms.can_open_plan_pages)
def plan(request, pk: int):
    found = selectors.plan(pk)
    if found is None:
        raise Http404
    if not perms.can_see_plan(request.user, found):
        raise PermissionDenied
    worklist = []
    if perms.can_review_acts(request.user) or perms.can_supervise(request.user):
        worklist = list(selectors.worklist(found)[:200])
        if worklist:
            display_record(
                actor=request.user,
                page="Qualité : actes à vérifier",
                households=[i.act.household.number for i in worklist],
                obj=found,
            )
    return render(
        request,
        "quality/plan.html",
        {
            "plan": found,
            "results": selectors.plan_results(found),
            "iql6": selectors.quality_index_six_months(found),
            "worklist": worklist,
        },
    )


@require_GET
@requires(perms.can_open_plan_pages)
def plan_chart(request, pk: int):
    """The plan's indices by team and by benefit, with their intervals, as a static SVG."""
    found = selectors.plan(pk)
    if found is None:
        raise Http404
    if not perms.can_see_plan(request.user, found):
        raise PermissionDenied
    results = selectors.plan_results(found)
    bars = []
    for by, label in (("team", "Équipe"), ("benefit", "Prestation")):
        for group, index in results.iql[by].items():
            bars.append((f"{label} : {group}", index))
    rows = [
        {
            "y": 30 + i * ROW,
            "label": label,
            "x_value": _x(index.value),
            "x_low": _x(index.low),
            "x_high": _x(index.high),
            "text": f"{index.value:.1%} (n = {index.n})".replace(".", ","),
        }
        for i, (label, index) in enumerate(bars)
    ]
    ticks = [{"x": _x(t / 100), "label": f"{t} %"} for t in (50, 60, 70, 80, 90, 100)]
    svg = render_to_string(
        "quality/chart.svg",
        {
            "rows": rows,
            "ticks": ticks,
            "height": 60 + len(rows) * ROW,
            "width": WIDTH + 120,
            "left": LEFT,
            "right": _x(1.0),
        },
    )
    return HttpResponse(svg, content_type="image/svg+xml")


def _x(value: float) -> float:
    """Position of an index between 50 % and 100 % on the chart."""
    if value != value:  # no reviewed act
        return LEFT
    return round(LEFT + max(0.0, min(1.0, (value - 0.5) / 0.5)) * (WIDTH - LEFT), 1)


@require_http_methods(["GET", "POST"])
@requires(perms.can_open_plan_pages)
def review(request, pk: int):
    found = selectors.item(pk)
    if found is None:
        raise Http404
    if not perms.can_review_item(request.user, found):
        raise PermissionDenied
    form = ReviewForm(request.POST or None)
    facts = [link.fact for link in found.act.act_facts.all()]
    if done := submit_form(
        request,
        form,
        lambda data: services.review_record(
            item=found,
            in_error=data["in_error"],
            nature=data["nature"],
            origin=data["origin"],
            financial=data["financial"],
            impact=data["impact"],
            corrections=_corrections(data, facts),
            note=data["note"],
            acting_user=request.user,
        ),
        said=lambda _: "Vérification enregistrée.",
        then=lambda _: redirect("quality:plan", pk=found.plan_id),
    ):
        return done
    display_record(
        actor=request.user,
        page="Qualité : vérification d'un acte",
        households=[found.act.household.number],
        obj=found,
    )
    return render(
        request,
        "quality/review.html",
        {"item": found, "facts": facts, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _corrections(data, facts) -> list[Correction] | None:
    if not data["correction_kind"]:
        return None
    if data["correction_from"] is None:
        raise ValidationError("Indiquez à partir de quel mois vaut le fait corrigé.")
    person = next((f.person for f in facts if f.person is not None), None)
    return [
        Correction(
            kind=data["correction_kind"],
            valid_from=data["correction_from"],
            valid_until=data["correction_until"],
            person=person,
            amount=data["correction_amount"],
        )
    ]


@require_GET
@requires(perms.can_view_own_quality)
def my_results(request):
    """An agent's own reviewed acts and index; never a colleague's."""
    return render(
        request,
        "quality/my_results.html",
        {
            "rows": selectors.quality_by_agent(agent=request.user),
            "reviews": selectors.reviews_of_agent(request.user)[:100],
        },
    )


@require_GET
@requires(perms.can_view_agents_quality)
def agents_results(request):
    return render(request, "quality/agents.html", {"rows": selectors.quality_by_agent()})


@require_http_methods(["GET", "POST"])
@requires(perms.can_supervise)
def supervision(request):
    """The manager's page: supervision plans per agent and month, quality actions."""
    posted = request.POST.get("form", "")
    plan_form = SupervisionForm(request.POST if posted == "plan" else None)
    action_form = ActionForm(request.POST if posted == "action" else None)

    def draw(data):
        month = clock.month_start(data["month"])
        return services.plan_draw(
            plan=PlanInput(
                name=f"Supervision de {data['agent'].username}, {month:%m/%Y}",
                period_start=month,
                period_end=clock.add_months(month, 1),
                method="simple",
                size=data["size"],
                agent=data["agent"],
            ),
            acting_user=request.user,
        )

    if done := submit_form(
        request,
        plan_form,
        draw,
        said=None,
        then=lambda drawn: redirect("quality:plan", pk=drawn.pk),
    ) or submit_form(
        request,
        action_form,
        lambda data: services.quality_action_open(**data, acting_user=request.user),
        said=lambda _: "Action qualité ouverte.",
        then=lambda _: redirect("quality:supervision"),
    ):
        return done
    return render(
        request,
        "quality/supervision.html",
        {
            "plan_form": plan_form,
            "action_form": action_form,
            "close_form": CloseActionForm(),
            "plans": selectors.supervision_plans(),
            "actions": selectors.quality_actions(),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["POST"])
@requires(perms.can_supervise)
def action_close(request, pk: int):
    action = selectors.quality_actions().filter(pk=pk).first()
    if action is None:
        raise Http404
    _close_action(request, action)
    return redirect("quality:supervision")


def _close_action(request, action) -> None:
    form = CloseActionForm(request.POST)

    def close():
        if not form.is_valid():
            raise ValidationError("Indiquez le bilan de l'action.")
        services.quality_action_close(
            action=action, note=form.cleaned_data["note"], acting_user=request.user
        )

    submit_action(request, close, said=lambda _: "Action close.")


# The DQI process map, a process's page for its pilot and its yearly reviews.


@require_GET
@requires(perms.can_view_process_map)
def process_map(request):
    kinds = selectors.processes_by_kind()
    openable = {
        p.code
        for _, processes in kinds
        for p in processes
        if perms.can_view_process(request.user, p)
    }
    return render(request, "quality/process_map.html", {"kinds": kinds, "openable": openable})


def _process_for(request, code: str):
    found = selectors.process(code)
    if found is None:
        raise Http404
    if not perms.can_view_process(request.user, found):
        raise PermissionDenied
    return found


def _review_context(found, year: int) -> dict:
    return {
        "process": found,
        "year": year,
        "rows": selectors.process_review(found, year),
        "actions": selectors.process_actions(found, year),
    }


@require_http_methods(["GET", "POST"])
@requires(perms.can_open_process_pages)
def process_page(request, code: str):
    """The pilot's page: this year's and last year's indicators against their targets, the
    risks and their controls, the action plans (opened and closed here by the pilot)."""
    found = _process_for(request, code)
    posted = request.POST.get("form", "")
    action_form = ProcessActionForm(request.POST if posted == "action" else None)
    pilot_form = PilotForm(request.POST if posted == "pilot" else None)
    if posted == "action":
        if not perms.can_pilot_process(request.user, found):
            raise PermissionDenied
        if done := submit_form(
            request,
            action_form,
            lambda data: services.quality_action_open(
                kind=ActionKind.IMPROVEMENT, **data, process=found, acting_user=request.user
            ),
            said=lambda _: "Action ajoutée au plan d'action du processus.",
            then=lambda _: redirect("quality:process", code=code),
        ):
            return done
    if posted == "pilot":
        if not perms.can_name_pilots(request.user):
            raise PermissionDenied
        if done := submit_form(
            request,
            pilot_form,
            lambda data: services.process_pilot_assign(
                process=found, pilot=data["pilot"], acting_user=request.user
            ),
            said=lambda _: "Pilote nommé.",
            then=lambda _: redirect("quality:process", code=code),
        ):
            return done
    bound_target = None
    if posted == "target":
        bound_target = _target_post(request, found)
        if bound_target[1].is_valid():
            return redirect("quality:process", code=code)
    year = year_param(request, default=clock.today().year)
    context = _review_context(found, year)
    return render(
        request,
        "quality/process.html",
        {
            **context,
            "open_actions": selectors.process_actions(found).filter(closed_at__isnull=True),
            "can_pilot": perms.can_pilot_process(request.user, found),
            "can_name": perms.can_name_pilots(request.user),
            "can_set_targets": perms.can_set_targets(request.user, found),
            "action_form": action_form,
            "pilot_form": pilot_form,
            "targets": _targets(found, context["rows"], bound_target),
            "years": range(year, year - 4, -1),
        },
        status=400 if request.method == "POST" else 200,
    )


def _target_form(binding, unit: str, data=None) -> TargetForm:
    return TargetForm(
        data,
        prefix=f"cible-{binding.pk}",
        unit=unit,
        initial={"target": binding.target, "target_source": binding.target_source},
    )


def _target_post(request, found) -> tuple[int, TargetForm]:
    """Set the target of the posted indicator of the process; its form is valid once saved."""
    if not perms.can_set_targets(request.user, found):
        raise PermissionDenied
    posted = request.POST.get("indicator", "")
    binding = next((b for b in found.indicators.all() if str(b.pk) == posted), None)
    declared = None if binding is None else selectors.declared_indicator(binding.code)
    if binding is None or declared is None:
        raise BadParameter("Cet indicateur n'est pas rattaché à ce processus.")
    form = _target_form(binding, declared.unit, request.POST)
    if form.is_valid():
        try:
            saved = services.indicator_target_set(
                indicator=binding,
                target=form.cleaned_data["target"],
                source=form.cleaned_data["target_source"],
                acting_user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _target_message(declared, saved))
    return binding.pk, form


def _target_message(declared, saved) -> str:
    if saved.target is None:
        return f"Cible de « {declared.label} » retirée."
    value = f"{_plain(saved.target)} {declared.unit}"
    return f"Cible de « {declared.label} » fixée à {value} (source : {saved.target_source})."


def _targets(found, rows, bound: tuple[int, TargetForm] | None) -> list[dict]:
    """Each indicator with its target form (the posted one bound, with its errors) and the
    history of its target."""
    history = selectors.target_history(found)
    return [
        {
            "row": row,
            "form": bound[1]
            if bound is not None and bound[0] == row.binding.pk
            else _target_form(row.binding, row.unit),
            "history": history.get(row.binding.pk, []),
        }
        for row in rows
    ]


@require_POST
@requires(perms.can_open_process_pages)
def process_action_close(request, code: str, pk: int):
    found = _process_for(request, code)
    if not perms.can_pilot_process(request.user, found):
        raise PermissionDenied
    action = selectors.process_actions(found).filter(pk=pk).first()
    if action is None:
        raise Http404
    _close_action(request, action)
    return redirect("quality:process", code=code)


def _review_year(year: int) -> int:
    if not FIRST_YEAR <= year <= clock.today().year:
        raise Http404
    return year


@require_GET
@requires(perms.can_open_process_pages)
def process_review(request, code: str, year: int):
    """The process's yearly review: indicators against the year before and the target, the
    action plans that were open during the year, the chart."""
    found = _process_for(request, code)
    return render(
        request, "quality/process_review.html", _review_context(found, _review_year(year))
    )


CHART_LEFT, CHART_BAR = 260, 360


@require_GET
@requires(perms.can_open_process_pages)
def process_chart(request, code: str, year: int):
    """Each indicator: last year and this year as bars, the target as a mark, on a scale of
    the indicator's own largest value (units differ between indicators)."""
    found = _process_for(request, code)
    year = _review_year(year)
    rows = []
    for i, row in enumerate(selectors.process_review(found, year)):
        values = [v for v in (row.previous, row.value, row.binding.target) if v is not None]
        top = max((abs(Decimal(v)) for v in values), default=Decimal(0)) or Decimal(1)

        def width(value, top=top):
            return 0 if value is None else round(float(abs(Decimal(value)) / top) * CHART_BAR, 1)

        target = row.binding.target
        rows.append(
            {
                "y": 20 + i * 48,
                "label": row.label[:40],
                "previous": width(row.previous),
                "value": width(row.value),
                "target": None if target is None else CHART_LEFT + width(target),
                "text": f"{_plain(row.previous)} → {_plain(row.value)} {row.unit} ({row.trend})",
            }
        )
    svg = render_to_string(
        "quality/process_chart.svg",
        {
            "rows": rows,
            "year": year,
            "left": CHART_LEFT,
            "text_x": CHART_LEFT + CHART_BAR + 10,
            "width": CHART_LEFT + CHART_BAR + 330,
            "height": 50 + len(rows) * 48,
        },
    )
    return HttpResponse(svg, content_type="image/svg+xml")


def _plain(value) -> str:
    return "—" if value is None else str(value).replace(".", ",")


@require_GET
@requires(perms.can_review_acts)
def datamining(request):
    """The datamining rules with the acts of a month they flag (households: audited)."""
    raw = request.GET.get("mois", "").strip()
    try:
        month = month_in_range(raw) if raw else clock.month_start(clock.today())
    except ValueError as error:
        raise BadParameter(str(error)) from error
    hits = selectors.datamining_hits(month, clock.add_months(month, 1))
    shown = sorted({act.household.number for hit in hits for act in hit.acts})
    if shown:
        display_record(actor=request.user, page="Qualité : datamining métier", households=shown)
    return render(request, "quality/datamining.html", {"month": month, "hits": hits})
