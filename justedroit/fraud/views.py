"""The fraud team's, the director's pages and the letters: worklist with deadlines, fraud file,
director's decisions, the notice and decision letters (HTML, French). Every page that shows a
household is recorded in the audit trail."""

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_http_methods

from justedroit.channels import selectors as channel_selectors
from justedroit.core import clock
from justedroit.core.audit import display_record
from justedroit.core.web import document_response, requires, submit_form, wants_pdf
from justedroit.fraud import parameters, perms, selectors, services
from justedroit.fraud.forms import (
    ComplaintForm,
    DecisionForm,
    DeclineForm,
    EmptyForm,
    FollowForm,
    IntentForm,
    NoticeForm,
    ObservationForm,
    OpenForm,
    OpinionForm,
    QualifyForm,
    WorklistFilterForm,
)
from justedroit.fraud.models import FraudStatus
from justedroit.registry import selectors as registry
from justedroit.registry.services import household_consult


@require_http_methods(["GET", "POST"])
@requires(perms.can_view_fraud_files, post=perms.can_work_fraud_files)
def worklist(request):
    declining = "decline" in request.POST
    open_form = OpenForm(None if declining else request.POST or None)
    decline_form = DeclineForm(request.POST if declining else None)
    if request.method == "POST" and open_form.is_valid():
        file = _open(request, open_form)
        if file is not None:
            messages.success(request, f"Dossier de fraude n° {file.pk} ouvert.")
            return redirect("fraud:file", pk=file.pk)
    if done := submit_form(
        request,
        decline_form,
        lambda data: _decline(request, data),
        said=lambda declined: f"Contrôle n° {declined.control_id} : pas de dossier de fraude.",
        then=lambda declined: redirect("fraud:worklist"),
        error_field="declined_control",
    ):
        return done
    filters = WorklistFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    today = clock.today()
    files = list(
        selectors.worklist(
            status=data.get("etat", ""), overdue_only=bool(data.get("echeances")), today=today
        )[:200]
    )
    waiting = list(selectors.controls_awaiting_file()[:200])
    shown = [f.household.number for f in files] + [c.household.number for c in waiting]
    if shown:
        display_record(actor=request.user, page="Fraude : liste de travail", households=shown)
    return render(
        request,
        "fraud/worklist.html",
        {
            "filters": filters,
            "files": files,
            "waiting": waiting,
            "today": today,
            "soon": today + dt.timedelta(days=parameters.REMINDER_DAYS_BEFORE),
            "open_form": open_form if perms.can_work_fraud_files(request.user) else None,
            "decline_form": decline_form if perms.can_work_fraud_files(request.user) else None,
        },
        status=400 if request.method == "POST" else 200,
    )


def _decline(request, data):
    control = selectors.control_by_pk(data["declined_control"])
    if control is None:
        raise ValidationError("Aucun contrôle en attente de dossier de fraude sous ce n°.")
    return services.fraud_file_decline(
        control=control, reason=data["reason"], acting_user=request.user
    )


def _open(request, form):
    data = form.cleaned_data
    control, household = None, None
    if data["control"]:
        control = selectors.control_by_pk(data["control"])
        if control is None:
            form.add_error("control", "Aucun contrôle en attente de dossier de fraude sous ce n°.")
            return None
        household = control.household
    else:
        household = registry.household_by_number(data["number"])
        if household is None:
            form.add_error("number", "Aucun foyer ne porte ce numéro.")
            return None
    try:
        return services.fraud_file_open(
            household=household,
            control=control,
            report=data["report"],
            facts=data["facts"],
            first_month=data["first_month"],
            last_month=data["last_month"],
            acting_user=request.user,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None


ACTIONS = {
    "intent": IntentForm,
    "qualify": QualifyForm,
    "notice": NoticeForm,
    "observations": ObservationForm,
    "opinion": OpinionForm,
    "payment": EmptyForm,
    "follow": FollowForm,
}


def _file_or_404(pk):
    file = selectors.file_by_pk(pk)
    if file is None:
        raise Http404
    return file


@require_http_methods(["GET", "POST"])
@requires(perms.can_view_fraud_files, post=perms.can_work_fraud_files)
def file(request, pk):
    file = _file_or_404(pk)
    forms = {name: form(prefix=name) for name, form in ACTIONS.items()}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            raise Http404
        form = forms[action] = ACTIONS[action](request.POST, prefix=action)
        if done := submit_form(
            request,
            form,
            lambda data: _act(request, file, action, data),
            said=lambda message: message,
            then=lambda _: redirect("fraud:file", pk=file.pk),
        ):
            return done
        status = 400
    household_consult(
        household=file.household,
        acting_user=request.user,
        reason="Fraude",
        page="Dossier de fraude",
    )
    return render(
        request,
        "fraud/file.html",
        {
            "file": file,
            "detail": selectors.file_detail(file),
            "checklist": services.intent_checklist(file),
            "forms": forms,
            "can_work": perms.can_work_fraud_files(request.user),
            "proposal": _proposal(file),
        },
        status=status,
    )


def _proposal(file) -> Decimal | None:
    if file.status != FraudStatus.QUALIFIED:
        return None
    try:
        return services.proposal(file, clock.today())
    except ValidationError:
        return None


def _act(request, file, action, data) -> str:
    user = request.user
    if action == "intent":
        document = None
        if data["document"]:
            documents = channel_selectors.household_documents(file.household, limit=500)
            document = next((d for d in documents if d.pk == data["document"]), None)
            if document is None:
                raise ValidationError("Pièce introuvable dans le dossier du foyer.")
        services.intent_record(
            file=file,
            element=data["element"],
            established=data["established"],
            evidence=data["evidence"],
            document=document,
            acting_user=user,
        )
        return "Élément intentionnel enregistré."
    if action == "qualify":
        services.fraud_qualify(file=file, acting_user=user, **data)
        return "Qualification enregistrée."
    if action == "notice":
        services.notice_send(file=file, amount=data["amount"], acting_user=user)
        return "Avis notifié : l'allocataire a un mois pour présenter ses observations."
    if action == "observations":
        services.observations_record(file=file, acting_user=user, **data)
        return "Observations enregistrées."
    if action == "opinion":
        services.commission_opinion_record(file=file, acting_user=user, **data)
        return "Avis de la commission enregistré : le directeur a un mois pour statuer."
    if action == "payment":
        services.payment_record(file=file, acting_user=user)
        return "Règlement enregistré : dossier clos."
    complaint = selectors.file_detail(file)["complaint"]
    if complaint is None:
        raise ValidationError("Aucune plainte déposée pour ce dossier.")
    services.complaint_follow(complaint=complaint, acting_user=user, **data)
    return "Suite de la plainte enregistrée."


@require_GET
@requires(perms.can_decide_sanctions)
def director(request):
    files = list(selectors.director_files())
    if files:
        display_record(
            actor=request.user,
            page="Fraude : décisions du directeur",
            households=[f.household.number for f in files],
        )
    return render(request, "fraud/director.html", {"files": files, "today": clock.today()})


DIRECTOR_ACTIONS = {
    "refer": EmptyForm,
    "decide": DecisionForm,
    "complaint": ComplaintForm,
}


@require_http_methods(["GET", "POST"])
@requires(perms.can_decide_sanctions)
def decision(request, pk):
    file = selectors.director_file(pk)
    if file is None:
        raise Http404
    forms = {name: form(prefix=name) for name, form in DIRECTOR_ACTIONS.items()}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in DIRECTOR_ACTIONS:
            raise Http404
        form = forms[action] = DIRECTOR_ACTIONS[action](request.POST, prefix=action)
        if done := submit_form(
            request,
            form,
            lambda data: _decide(request, file, action, data),
            said=lambda message: message,
            then=lambda _: redirect("fraud:director"),
        ):
            return done
        status = 400
    household_consult(
        household=file.household,
        acting_user=request.user,
        reason="Fraude",
        page="Décision du directeur",
    )
    return render(
        request,
        "fraud/decision.html",
        {
            "file": file,
            "detail": selectors.file_detail(file),
            "forms": forms,
            "threshold": parameters.complaint_threshold(clock.today().year),
        },
        status=status,
    )


def _decide(request, file, action, data) -> str:
    user = request.user
    if action == "refer":
        services.commission_refer(file=file, acting_user=user)
        return "Commission des pénalités saisie."
    if action == "complaint":
        services.complaint_file(file=file, acting_user=user, **data)
        return "Plainte enregistrée."
    services.sanction_decide(
        file=file,
        kind=data["kind"],
        amount=data["amount"] or Decimal("0"),
        reasons=data["reasons"],
        acting_user=user,
    )
    return "Décision enregistrée."


LETTERS = {"avis": "fraud/letter_notice.html", "decision": "fraud/letter_decision.html"}


@require_GET
@requires(perms.can_view_fraud_letters)
def letter(request, pk, kind):
    file = _file_or_404(pk)
    detail = selectors.file_detail(file)
    if kind not in LETTERS or (kind == "avis" and file.proposed_amount is None):
        raise Http404
    if kind == "decision" and detail["sanction"] is None:
        raise Http404
    household_consult(
        household=file.household, acting_user=request.user, reason="Fraude", page="Lettre"
    )
    html = render_to_string(
        LETTERS[kind],
        {
            "file": file,
            "detail": detail,
            "members": registry.members(file.household),
            "parameters": parameters,
            # The PDF is the letter alone, without the site's navigation.
            "layout": "fraud/letter_file.html" if wants_pdf(request) else "base.html",
        },
        request=request,
    )
    return document_response(request, html, f"fraude-{file.pk}-{kind}")
