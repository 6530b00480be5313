"""The access-to-rights team's pages: the partners' monthly information meetings (planning,
material, attendance and its yearly rate per partner) and the collective actions (sessions,
people received, the rights they led to, the report). Thin: forms, then services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from justedroit.channels import storage
from justedroit.core import clock
from justedroit.core.audit import display_record
from justedroit.core.web import requires, submit_form, year_param
from justedroit.outreach import charts, perms, selectors
from justedroit.outreach.forms import (
    ActionForm,
    ActionReportForm,
    AttendanceForm,
    MaterialForm,
    MeetingPlanForm,
    OutcomeForm,
    SessionForm,
)
from justedroit.outreach.services import network
from justedroit.registry.selectors import household_by_number


def _upload(file) -> network.Upload:
    """The uploaded file, as the service reads it."""
    return network.Upload(file.name or "", storage.read_bounded(file))


@require_http_methods(["GET", "POST"])
@requires(perms.can_run_partner_network)
def meetings(request):
    """The year's meetings, planning the next one, the material's versions, and each partner's
    attendance rate over the year (a table and the same figures as a chart)."""
    year = year_param(request, default=clock.today().year)
    form = MeetingPlanForm(request.POST or None, request.FILES or None)
    if done := submit_form(
        request,
        form,
        lambda data: network.meeting_plan(
            held_on=data["held_on"],
            title=data["title"],
            agenda=data["agenda"],
            material=_upload(data["material"]) if data["material"] else None,
            acting_user=request.user,
        ),
        said=lambda meeting: (
            f"Réunion du {meeting.held_on:%d/%m/%Y} planifiée, "
            f"{meeting.invitations.count()} partenaires invités."
        ),
        then=lambda meeting: redirect("outreach:meeting", meeting_id=meeting.pk),
    ):
        return done
    attendance = selectors.attendance_rates(year)
    return render(
        request,
        "outreach/meetings.html",
        {
            "year": year,
            "form": form,
            "meetings": selectors.meetings(year),
            "materials": selectors.materials()[:12],
            "attendance": attendance,
            "chart": charts.rows([(a.partner, a.rate) for a in attendance], maximum=100),
            "max_mb": storage.max_bytes() // (1024 * 1024),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@requires(perms.can_run_partner_network)
def meeting(request, meeting_id: int):
    """One meeting: its agenda, who was invited and came (recorded here), its material."""
    found = selectors.meeting(meeting_id)
    if found is None:
        raise Http404
    invitations = list(selectors.meeting_invitations(found))
    attendance = AttendanceForm(invitations=invitations)
    material = MaterialForm(initial={"title": f"Support — {found.title}"})
    if request.method == "POST":
        if request.POST.get("form") == "material":
            material = MaterialForm(request.POST, request.FILES)
            if done := submit_form(
                request,
                material,
                lambda data: network.material_upload(
                    title=data["title"],
                    upload=_upload(data["file"]),
                    meeting=found,
                    acting_user=request.user,
                ),
                said=lambda _: "Support déposé : les partenaires le téléchargent.",
                then=lambda _: redirect("outreach:meeting", meeting_id=found.pk),
                error_field="file",
            ):
                return done
        else:
            attendance = AttendanceForm(request.POST, invitations=invitations)
            if attendance.is_valid():
                present = network.attendance_record(
                    meeting=found,
                    present=set(attendance.cleaned_data["present"]),
                    acting_user=request.user,
                )
                messages.success(
                    request, f"Présences enregistrées : {present} sur {len(invitations)}."
                )
                return redirect("outreach:meeting", meeting_id=found.pk)
    return render(
        request,
        "outreach/meeting.html",
        {
            "meeting": found,
            "attendance_form": attendance,
            "material_form": material,
            "materials": selectors.materials().filter(meeting=found),
            "max_mb": storage.max_bytes() // (1024 * 1024),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@requires(perms.can_run_partner_network)
def actions(request):
    """The collective actions, the most recent first, and a new one on request."""
    form = ActionForm(request.POST or None)
    if done := submit_form(
        request,
        form,
        lambda data: network.action_create(**data, acting_user=request.user),
        said=lambda action: f"Action « {action.title} » créée.",
        then=lambda action: redirect("outreach:action", action_id=action.pk),
    ):
        return done
    return render(
        request,
        "outreach/actions.html",
        {
            "form": form,
            "reports": [selectors.action_report(a) for a in selectors.actions_all()[:100]],
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@requires(perms.can_run_partner_network)
def action(request, action_id: int):
    """One action: its sessions and people received, the rights it led to, its report."""
    found = selectors.action(action_id)
    if found is None:
        raise Http404
    forms = {
        "session": SessionForm(),
        "outcome": OutcomeForm(sessions=found.sessions.all()),
        "report": ActionReportForm(initial={"report": found.report}),
    }
    if request.method == "POST":
        posted = request.POST.get("form", "")
        if posted not in forms:
            posted = "session"
        if _action_post(request, found, forms, posted):
            return redirect("outreach:action", action_id=found.pk)
    outcomes = list(selectors.action_outcomes(found))
    linked = sorted({o.household.number for o in outcomes if o.household is not None})
    if linked:
        display_record(
            actor=request.user,
            page=f"résultats de l'action collective {found.pk}",
            households=linked,
        )
    return render(
        request,
        "outreach/action.html",
        {
            "action": found,
            "report": selectors.action_report(found),
            "sessions": found.sessions.all(),
            "outcomes": outcomes,
            "session_form": forms["session"],
            "outcome_form": forms["outcome"],
            "report_form": forms["report"],
        },
        status=400 if request.method == "POST" else 200,
    )


def _action_post(request, found, forms: dict, posted: str) -> bool:
    """Send the posted form to its service; True when it was written."""
    if posted == "session":
        form = forms[posted] = SessionForm(request.POST)
    elif posted == "outcome":
        form = forms[posted] = OutcomeForm(request.POST, sessions=found.sessions.all())
    else:
        form = forms[posted] = ActionReportForm(request.POST)
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        if posted == "session":
            network.session_record(action=found, acting_user=request.user, **data)
            messages.success(request, f"Séance du {data['held_on']:%d/%m/%Y} enregistrée.")
        elif posted == "outcome":
            household = None
            if data["household_number"]:
                household = household_by_number(data["household_number"])
                if household is None:
                    raise ValidationError("Foyer inconnu : vérifiez le numéro.")
            network.outcome_record(
                session=data["session"],
                kind=data["kind"],
                benefit=data["benefit"],
                household=household,
                consent=data["consent"],
                acting_user=request.user,
            )
            messages.success(request, "Résultat enregistré.")
        else:
            network.action_report_write(
                action=found, report=data["report"], acting_user=request.user
            )
            messages.success(request, "Bilan enregistré.")
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True
