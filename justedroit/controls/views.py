"""Controllers' and managers' pages: worklist, control file, visit report, the year's plan."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from justedroit.channels import selectors as channel_selectors
from justedroit.controls import perms, selectors, services
from justedroit.controls.audit import DEFAULT_SHARE, bias_audit
from justedroit.controls.forms import (
    OPENABLE_KINDS,
    AssignForm,
    CloseForm,
    FindingsForm,
    LinkDocumentForm,
    OpenForm,
    RequestForm,
    ResponseForm,
    TargetingDecisionForm,
    VisitForm,
    VisitReportForm,
    WorklistFilterForm,
)
from justedroit.controls.models import ControlKind, ControlOrigin, ControlStatus
from justedroit.controls.targeting import FEATURES, NAIVE_EXTRA, explain
from justedroit.core import clock
from justedroit.core.audit import display_record
from justedroit.core.selectors import user_by_username
from justedroit.core.web import requires, submit_form, year_param
from justedroit.registry import selectors as registry
from justedroit.registry.services import household_consult

PAGE_SIZE = 50


@require_http_methods(["GET", "POST"])
@requires(perms.can_view_controls, post=perms.can_work_controls)
def worklist(request):
    open_form = OpenForm(request.POST or None)
    if request.method == "POST" and open_form.is_valid():
        household = registry.household_by_number(open_form.cleaned_data["number"])
        if household is None:
            open_form.add_error("number", "Aucun foyer ne porte ce numéro.")
        else:
            control = services.control_open(
                household=household,
                kind=open_form.cleaned_data["kind"],
                origin=ControlOrigin.AGENT,
                reason=open_form.cleaned_data["reason"],
                acting_user=request.user,
            )
            messages.success(request, f"Contrôle n° {control.pk} ouvert.")
            return redirect("controls:control", pk=control.pk)
    filters = WorklistFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    controls = selectors.worklist(
        kind=data.get("nature", ""),
        status=data.get("etat", ""),
        controller=request.user if data.get("mes_controles") else None,
        sort=data.get("tri") or "echeance",
    )
    page = Paginator(controls, PAGE_SIZE).get_page(request.GET.get("page"))
    if page.object_list:
        display_record(
            actor=request.user,
            page="Contrôles : liste de travail",
            households=[c.household.number for c in page.object_list],
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "controls/worklist.html",
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "open_form": open_form if perms.can_work_controls(request.user) else None,
        },
        status=400 if request.method == "POST" else 200,
    )


ACTIONS = {
    "request": RequestForm,
    "link": LinkDocumentForm,
    "assign": AssignForm,
    "visit": VisitForm,
    "findings": FindingsForm,
    "response": ResponseForm,
    "close": CloseForm,
}


@require_http_methods(["GET", "POST"])
@requires(perms.can_view_controls, post=perms.can_work_controls)
def control(request, pk):
    control = selectors.control_by_pk(pk)
    if control is None:
        raise Http404
    household = control.household
    members = registry.members(household)
    forms = {name: form(prefix=name) for name, form in ACTIONS.items() if name != "close"}
    forms["close"] = CloseForm(prefix="close", members=members)
    status = 200
    action = request.POST.get("action", "")
    if request.method == "POST":
        if action not in ACTIONS:
            raise Http404
        extra = {"members": members} if action == "close" else {}
        form = ACTIONS[action](request.POST, prefix=action, **extra)
        forms[action] = form
        if done := submit_form(
            request,
            form,
            lambda data: _act(request, control, action, data),
            said=lambda message: message,
            then=lambda _: redirect("controls:control", pk=control.pk),
        ):
            return done
        status = 400
    household_consult(
        household=household, acting_user=request.user, reason="Contrôle", page="Dossier de contrôle"
    )
    file = selectors.control_file(control)
    targeted = file["targeting"]
    return render(
        request,
        "controls/control.html",
        {
            "control": control,
            "file": file,
            "explanation": _explanation(targeted.model, targeted.values) if targeted else None,
            "documents": channel_selectors.household_documents(household),
            "forms": forms,
            "can_work": perms.can_work_controls(request.user),
            "is_on_site": control.kind == ControlKind.ON_SITE,
            "is_automated": control.kind == ControlKind.AUTOMATED,
        },
        status=status,
    )


def _act(request, control, action, data) -> str:
    user = request.user
    if action == "request":
        services.document_request_send(
            control=control,
            documents=data["documents"],
            deadline=data["deadline"],
            message=data["message"],
            acting_user=user,
        )
        return "Demande de pièces envoyée."
    if action == "link":
        linked = control.requests.filter(pk=data["request"]).first()
        document = channel_selectors.household_documents(control.household, limit=500)
        document = next((d for d in document if d.pk == data["document"]), None)
        if linked is None or document is None:
            raise ValidationError("Demande ou document introuvable pour ce foyer.")
        services.document_receive(request=linked, document=document, acting_user=user)
        return "Pièce rattachée à la demande."
    if action == "assign":
        controller = None
        if data["username"]:
            controller = user_by_username(data["username"])
            if controller is None:
                raise ValidationError("Identifiant inconnu.")
        services.control_assign(control=control, controller=controller, acting_user=user)
        return "Contrôle attribué."
    if action == "visit":
        services.visit_schedule(
            control=control,
            scheduled_for=data["scheduled_for"],
            place=data["place"],
            acting_user=user,
        )
        return "Visite programmée."
    if action == "findings":
        services.findings_notify(control=control, findings=data["findings"], acting_user=user)
        return "Constats notifiés : l'allocataire peut présenter ses observations."
    if action == "response":
        services.control_response_record(
            control=control, text=data["text"], channel=data["channel"], acting_user=user
        )
        return "Observations enregistrées."
    established = []
    if data["kind"]:
        person = registry.household_member(control.household, data["person"])
        if person is None:
            raise ValidationError("Cette personne n'est pas membre du foyer.")
        established = [
            services.Established(
                kind=data["kind"],
                first_month=data["first"],
                until=clock.add_months(data["last"], 1),
                person=person,
                amount=data["amount"],
            )
        ]
    closed = services.control_close(
        control=control,
        established=established,
        suspected_fraud=data["suspected_fraud"],
        note=data["note"],
        acting_user=user,
    )
    return f"Contrôle clos : {closed.get_outcome_display().lower()}."


@require_http_methods(["GET", "POST"])
@requires(perms.can_view_controls, post=perms.can_write_visit_report)
def visit_report(request, pk):
    control = selectors.control_by_pk(pk)
    if control is None or control.kind != ControlKind.ON_SITE:
        raise Http404
    form = VisitReportForm(request.POST or None, initial={"visited_on": clock.today()})
    if done := submit_form(
        request,
        form,
        lambda data: services.visit_report_record(
            control=control, acting_user=request.user, **data
        ),
        said=lambda _: "Rapport de visite enregistré.",
        then=lambda _: redirect("controls:control", pk=control.pk),
    ):
        return done
    household_consult(
        household=control.household,
        acting_user=request.user,
        reason="Contrôle",
        page="Rapport de visite",
    )
    return render(
        request,
        "controls/visit_report.html",
        {"control": control, "form": form, "closed": control.status == ControlStatus.CLOSED},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@requires(perms.can_view_control_plan)
def plan(request):
    year = year_param(request, default=clock.today().year)
    return render(
        request,
        "controls/plan.html",
        {"year": year, "rows": selectors.plan(year), "impacts": selectors.impacts(year)},
    )


def _explanation(model, values):
    rows, score = explain(float(model.intercept), model.coefficients, values)
    return {"model": model, "rows": rows, "score": score}


@require_GET
@requires(perms.can_view_targeting_model)
def targeting(request):
    model = selectors.current_model()
    rows = []
    if model is not None:
        rows = [
            {
                "feature": feature,
                "coefficient": model.coefficients[feature.name],
                "error": model.standard_errors[feature.name],
            }
            for feature in FEATURES
            if feature.name in model.coefficients
        ]
    return render(
        request,
        "controls/targeting.html",
        {"model": model, "rows": rows, "features": FEATURES},
    )


@require_http_methods(["GET", "POST"])
@requires(perms.can_view_targeting_list, post=perms.can_decide_targeting)
def targeting_list(request):
    model = selectors.current_model()
    form = TargetingDecisionForm(request.POST or None)

    def decide(data):
        score = selectors.targeting_score(data["score"])
        if score is None:
            raise Http404
        return services.targeting_decide(
            score=score,
            decision=data["decision"],
            kind=data["kind"] or ControlKind.DOCUMENTS,
            reason=data["reason"],
            acting_user=request.user,
        )

    if done := submit_form(
        request,
        form,
        decide,
        said=lambda decision: (
            f"Contrôle n° {decision.control_id} ouvert."
            if decision.control_id
            else f"Foyer {decision.household.number} écarté."
        ),
        then=lambda decision: (
            redirect("controls:control", pk=decision.control_id)
            if decision.control_id
            else redirect("controls:targeting_list")
        ),
    ):
        return done
    scores = list(selectors.targeting_list(model)) if model is not None else []
    decisions = list(selectors.targeting_decisions(limit=20))
    shown = [s.household.number for s in scores] + [d.household.number for d in decisions]
    if shown:
        display_record(actor=request.user, page="Ciblage des contrôles : liste", households=shown)
    return render(
        request,
        "controls/targeting_list.html",
        {
            "model": model,
            "scores": [(s, _explanation(model, s.values)) for s in scores],
            "form": form,
            "kinds": OPENABLE_KINDS,
            "can_decide": perms.can_decide_targeting(request.user),
            "decisions": decisions,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@requires(perms.can_view_targeting_audit)
def targeting_audit(request):
    year = year_param(request, default=clock.today().year)
    report = bias_audit(year, DEFAULT_SHARE)
    return render(
        request,
        "controls/targeting_audit.html",
        {
            "year": year,
            "report": report,
            "runs": [report.fair, report.naive] if report else [],
            "naive_extra": NAIVE_EXTRA,
        },
    )
