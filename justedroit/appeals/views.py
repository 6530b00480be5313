"""The CRA secretariat's, the members' and the legal department's pages. Thin: forms in, services
for writes, selectors for reads; every page showing a household's file is audited."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_http_methods

from justedroit.appeals import letters, perms, selectors, services
from justedroit.appeals.forms import (
    AgendaForm,
    AppealForm,
    AttendanceForm,
    CourtCaseForm,
    DayForm,
    DecisionForm,
    HearingForm,
    InstructForm,
    IntakeForm,
    JudgmentForm,
    SessionForm,
)
from justedroit.core import clock
from justedroit.core.audit import display_record
from justedroit.core.web import document_response, requires, submit_form
from justedroit.recovery import selectors as ledger
from justedroit.registry import selectors as registry
from justedroit.registry.services import household_consult


def _error(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _household(form, field="number"):
    household = registry.household_by_number(form.cleaned_data[field])
    if household is None:
        form.add_error(field, "Aucun foyer sous ce numéro.")
    return household


@require_http_methods(["GET", "POST"])
@requires(perms.can_view_cra_cases, post=perms.can_work_cra_cases)
def worklist(request):
    form = IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        case = _receive(request, form)
        if case is not None:
            messages.success(request, f"Recours n° {case.pk} enregistré.")
            return redirect("appeals:case", pk=case.pk)
    today = clock.today()
    lines = selectors.worklist(today)
    if lines:
        display_record(
            actor=request.user,
            page="CRA : liste de travail",
            households=[line.case.household.number for line in lines],
        )
    return render(
        request,
        "appeals/worklist.html",
        {
            "lines": lines,
            "today": today,
            "form": form if perms.can_work_cra_cases(request.user) else None,
        },
        status=400 if request.method == "POST" else 200,
    )


def _receive(request, form):
    household = _household(form)
    if household is None:
        return None
    data = form.cleaned_data
    debt = None
    if data["debt"]:
        debt = ledger.debt_by_id(household, data["debt"])
        if debt is None:
            form.add_error("debt", "Aucune dette du foyer sous ce numéro.")
            return None
    try:
        return services.case_receive(
            household=household,
            kind=data["kind"],
            channel=data["channel"],
            benefit=data["benefit"],
            debt=debt,
            contested_decision=data["contested_decision"],
            notified_on=data["notified_on"],
            received_on=data["received_on"],
            grounds=data["grounds"],
            acting_user=request.user,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None


def _case_or_404(request, pk):
    case = selectors.case_by_pk(pk)
    if case is None:
        raise Http404
    if not perms.can_view_cra_cases(request.user) and not selectors.member_reads_case(
        selectors.member_of(request.user), case
    ):
        raise Http404
    return case


@require_http_methods(["GET", "POST"])
@requires(perms.can_view_session, post=perms.can_work_cra_cases)
def case(request, pk):
    case = _case_or_404(request, pk)
    instruct = InstructForm(request.POST if "instruct" in request.POST else None)
    day = DayForm(request.POST if "day" in request.POST else None)
    if request.method == "POST":
        try:
            if instruct.is_bound and instruct.is_valid():
                services.case_instruct(
                    case=case,
                    acting_user=request.user,
                    analysis=instruct.cleaned_data["analysis"],
                    proposal=instruct.cleaned_data["proposal"],
                    proposed_amount=instruct.cleaned_data["proposed_amount"],
                )
                messages.success(request, "Instruction enregistrée.")
                return redirect("appeals:case", pk=case.pk)
            if day.is_bound and day.is_valid():
                action = (
                    services.documents_request
                    if request.POST["day"] == "request"
                    else services.documents_receive
                )
                action(case=case, on=day.cleaned_data["on"], acting_user=request.user)
                messages.success(request, "Pièces : enregistré.")
                return redirect("appeals:case", pk=case.pk)
        except ValidationError as error:
            _error(request, error)
    household_consult(
        household=case.household, acting_user=request.user, reason="Recours amiable", page="CRA"
    )
    today = clock.today()
    return render(
        request,
        "appeals/case.html",
        {
            "case": case,
            "line": selectors.case_lines([case], today)[0],
            "file": selectors.instruction_file(case),
            "events": selectors.case_events(case),
            "decision": selectors.decision_of(case),
            "court_cases": selectors.court_cases_of(case),
            "members": registry.members(case.household, today),
            "instruct": instruct,
            "day": day,
            "can_work": perms.can_work_cra_cases(request.user),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@requires(perms.can_view_session, post=perms.can_work_cra_cases)
def sessions(request):
    form = SessionForm(request.POST or None, members=selectors.active_members())
    if done := submit_form(
        request,
        form,
        lambda data: services.session_create(
            held_on=data["held_on"],
            members=[m for m in selectors.active_members() if m.pk in data["members"]],
            acting_user=request.user,
        ),
        said=None,
        then=lambda session: redirect("appeals:session", pk=session.pk),
    ):
        return done
    member = selectors.member_of(request.user)
    listed = (
        selectors.sessions()
        if perms.can_view_cra_cases(request.user)
        else selectors.member_sessions(member)
        if member
        else []
    )
    return render(
        request,
        "appeals/sessions.html",
        {
            "sessions": listed,
            "form": form if perms.can_work_cra_cases(request.user) else None,
        },
        status=400 if request.method == "POST" else 200,
    )


def _session_or_404(request, pk):
    session = selectors.session_by_pk(pk)
    if session is None:
        raise Http404
    if not perms.can_view_cra_cases(request.user) and not selectors.member_convened(
        selectors.member_of(request.user), session
    ):
        raise Http404
    return session


@require_http_methods(["GET", "POST"])
@requires(perms.can_view_session, post=perms.can_work_cra_cases)
def session(request, pk):
    session = _session_or_404(request, pk)
    convened = list(session.members.order_by("college", "name"))
    present = selectors.present_members(session)
    post = request.POST if request.method == "POST" else None
    forms_ = {
        "agenda": AgendaForm(
            post if "agenda" in request.POST else None, cases=selectors.ready_cases()
        ),
        "attendance": AttendanceForm(
            post if "attendance" in request.POST else None, members=convened
        ),
        "decision": DecisionForm(post if "decision" in request.POST else None, members=present),
    }
    if request.method == "POST":
        try:
            if _session_post(request, session, forms_):
                return redirect("appeals:session", pk=session.pk)
        except ValidationError as error:
            _error(request, error)
    items = list(selectors.agenda(session))
    if items:
        display_record(
            actor=request.user,
            page="CRA : ordre du jour",
            households=[item.case.household.number for item in items],
            obj=session,
        )
    return render(
        request,
        "appeals/session.html",
        {
            "session": session,
            "minutes": selectors.session_minutes(session),
            "forms": forms_,
            "can_work": perms.can_work_cra_cases(request.user) and session.closed_at is None,
        },
        status=400 if request.method == "POST" else 200,
    )


def _session_post(request, session, forms_) -> bool:
    user = request.user
    if forms_["agenda"].is_bound and forms_["agenda"].is_valid():
        chosen = set(forms_["agenda"].cleaned_data["cases"])
        cases = [c for c in selectors.ready_cases() if c.pk in chosen]
        services.agenda_add(session=session, cases=cases, acting_user=user)
        return True
    if forms_["attendance"].is_bound and forms_["attendance"].is_valid():
        chosen = set(forms_["attendance"].cleaned_data["present"])
        members = [m for m in session.members.all() if m.pk in chosen]
        services.attendance_record(session=session, present=members, acting_user=user)
        return True
    form = forms_["decision"]
    if form.is_bound and form.is_valid():
        case = selectors.case_by_pk(form.cleaned_data["case"])
        if case is None:
            raise Http404
        services.case_decide(
            case=case,
            session=session,
            outcome=form.cleaned_data["outcome"],
            amount=form.cleaned_data["amount"],
            reasons=form.cleaned_data["reasons"],
            votes=form.votes(),
            acting_user=user,
        )
        messages.success(request, f"Décision enregistrée sur le recours n° {case.pk}.")
        return True
    if "close" in request.POST:
        services.session_close(session=session, acting_user=user)
        return True
    return False


@require_GET
@requires(perms.can_view_session)
def minutes(request, pk):
    session = _session_or_404(request, pk)
    data = selectors.session_minutes(session)
    display_record(
        actor=request.user,
        page="CRA : procès-verbal",
        households=[item.case.household.number for item, _ in data["items"]],
        obj=session,
    )
    html = render_to_string("appeals/minutes.html", data, request=request)
    return document_response(request, html, f"pv-cra-{session.held_on}")


@require_GET
@requires(perms.can_view_cra_cases)
def decision_letter(request, pk):
    case = _case_or_404(request, pk)
    decision = selectors.decision_of(case)
    if decision is None:
        raise Http404
    household_consult(
        household=case.household, acting_user=request.user, reason="Recours amiable", page="Lettre"
    )
    context = {
        "case": case,
        "decision": decision,
        "routes": letters.routes_of_appeal(case, decision.decided_on),
        "members": registry.members(case.household, decision.decided_on),
    }
    html = render_to_string("appeals/letter_decision.html", context, request=request)
    return document_response(request, html, f"decision-cra-{case.pk}")


# ---- courts -------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@requires(perms.can_view_court_cases, post=perms.can_work_court_cases)
def courts(request):
    form = CourtCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        court_case = _file(request, form)
        if court_case is not None:
            return redirect("appeals:court_case", pk=court_case.pk)
    today = clock.today()
    lists = selectors.court_worklist(today)
    shown = {line.court_case.household.number for lines in lists.values() for line in lines}
    if shown:
        display_record(actor=request.user, page="Contentieux : échéances", households=shown)
    return render(
        request,
        "appeals/courts.html",
        {
            "lists": lists,
            "today": today,
            "form": form if perms.can_work_court_cases(request.user) else None,
        },
        status=400 if request.method == "POST" else 200,
    )


def _file(request, form):
    household = _household(form)
    if household is None:
        return None
    data = form.cleaned_data
    appeal_case = selectors.case_by_pk(data["appeal_case"]) if data["appeal_case"] else None
    debt = ledger.debt_by_id(household, data["debt"]) if data["debt"] else None
    if (data["appeal_case"] and appeal_case is None) or (data["debt"] and debt is None):
        form.add_error(None, "Recours ou dette introuvable pour ce foyer.")
        return None
    try:
        return services.court_case_file(
            household=household,
            nature=data["nature"],
            benefit=data["benefit"] or None,
            appeal_case=appeal_case,
            debt=debt,
            filed_on=data["filed_on"],
            reference=data["reference"],
            acting_user=request.user,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None


@require_http_methods(["GET", "POST"])
@requires(perms.can_view_court_cases, post=perms.can_work_court_cases)
def court_case(request, pk):
    court_case = selectors.court_case_by_pk(pk)
    if court_case is None:
        raise Http404
    post = request.POST if request.method == "POST" else None
    hearing = HearingForm(post if "hearing" in request.POST else None)
    judgment = JudgmentForm(post if "judgment" in request.POST else None)
    appeal = AppealForm(post if "appeal" in request.POST else None)
    if request.method == "POST":
        try:
            if hearing.is_bound and hearing.is_valid():
                services.hearing_record(
                    court_case=court_case, acting_user=request.user, **hearing.cleaned_data
                )
                return redirect("appeals:court_case", pk=court_case.pk)
            if judgment.is_bound and judgment.is_valid():
                services.judgment_record(
                    court_case=court_case,
                    judgment=judgment.cleaned_data["judgment"],
                    judged_on=judgment.cleaned_data["judged_on"],
                    amount_cancelled=judgment.cleaned_data["amount_cancelled"] or Decimal(0),
                    acting_user=request.user,
                )
                return redirect("appeals:court_case", pk=court_case.pk)
            if appeal.is_bound and appeal.is_valid():
                upper = services.appeal_file(
                    court_case=court_case, acting_user=request.user, **appeal.cleaned_data
                )
                return redirect("appeals:court_case", pk=upper.pk)
        except ValidationError as error:
            _error(request, error)
    household_consult(
        household=court_case.household,
        acting_user=request.user,
        reason="Contentieux",
        page="Affaire",
    )
    return render(
        request,
        "appeals/court_case.html",
        {
            "court_case": court_case,
            "hearings": selectors.hearings_of(court_case),
            "appeal_by": selectors.appeal_deadline(court_case),
            "balance": ledger.balance(court_case.debt) if court_case.debt else None,
            "hearing": hearing,
            "judgment": judgment,
            "appeal": appeal,
            "can_work": perms.can_work_court_cases(request.user),
        },
        status=400 if request.method == "POST" else 200,
    )
