"""Agent pages: sites, the day screen (walk-in queue + appointments), booking, attendance."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from justedroit.core import clock
from justedroit.core.audit import display_record
from justedroit.core.french import day_and_time, time_label
from justedroit.core.web import provider_payload, public, requires
from justedroit.core.worklists import Column, worklist
from justedroit.reception import perms, selectors, services
from justedroit.reception.forms import (
    BookForm,
    DayAction,
    OutcomeForm,
    SlotSearchForm,
    TicketForm,
    UnmarkedWorklistForm,
)
from justedroit.reception.models import AppointmentStatus, BookedVia, Queue, Site, TicketStatus
from justedroit.reception.notifications import delivery_receipts_record
from justedroit.reception.services.appointments import MARKABLE
from justedroit.registry.selectors import household_by_number


@require_GET
@requires(perms.can_serve_reception)
def sites(request):
    return render(request, "reception/sites.html", {"sites": selectors.sites()})


@require_http_methods(["GET", "POST"])
@requires(perms.can_serve_reception)
def site_day(request, slug):
    site = selectors.site_by_slug(slug)
    if site is None:
        raise Http404
    ticket_form = TicketForm()
    if request.method == "POST":
        try:
            invalid = _day_action(request, site)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            invalid = None
        if invalid is None:
            return redirect("reception:site_day", slug=slug)
        ticket_form = invalid
    now = clock.now()
    board = selectors.queue_board(site, now)
    appointments = list(selectors.day_appointments(site, now.date()))
    shown = [w.ticket for q in board.queues for w in q.waiting] + board.in_progress
    if shown or appointments:
        display_record(
            actor=request.user,
            page=f"Écran du jour — {site.name}",
            households=[t.household.number for t in shown if t.household]
            + [a.household.number for a in appointments],
            obj=site,
        )
    return render(
        request,
        "reception/site_day.html",
        {
            "site": site,
            "now": now,
            "board": board,
            "appointments": appointments,
            "ticket_form": ticket_form,
            "outcome_form": OutcomeForm(),
            "Queue": Queue,
            "TicketStatus": TicketStatus,
            "AppointmentStatus": AppointmentStatus,
            "DayAction": DayAction,
        },
        status=400 if request.method == "POST" else 200,
    )


def _day_action(request, site: Site):
    action = request.POST.get("action", "")
    user = request.user
    if action == DayAction.ISSUE:
        form = TicketForm(request.POST)
        if not form.is_valid():
            return form
        number = form.cleaned_data["household"]
        household = household_by_number(number) if number else None
        if number and household is None:
            raise ValidationError(f"Foyer inconnu : {number}.")
        ticket = services.ticket_issue(
            site=site,
            queue=form.cleaned_data["queue"],
            reason=form.cleaned_data["reason"],
            household=household,
            acting_user=user,
        )
        messages.success(
            request,
            f"Ticket {ticket.label} remis : file {ticket.get_queue_display().lower()}"
            + (f", foyer {household.number}." if household else "."),
        )
        return None
    if action == DayAction.CALL_NEXT:
        ticket = services.ticket_call_next(
            site=site, queue=request.POST.get("queue", ""), acting_user=user
        )
        if ticket is None:
            messages.info(request, "Personne n'attend dans cette file.")
        else:
            messages.success(
                request,
                f"Ticket {ticket.label} appelé, file {ticket.get_queue_display().lower()} : "
                "son numéro s'affiche sur l'écran de la salle d'attente.",
            )
        return None
    if action in {DayAction.CHECK_IN, DayAction.REVOKE, *MARKABLE}:
        appointment = selectors.site_appointment(site, request.POST.get("id", ""))
        if appointment is None:
            raise Http404
        what = (
            f"Rendez-vous de {time_label(appointment.starts_at)} "
            f"(foyer {appointment.household.number})"
        )
        if action == DayAction.CHECK_IN:
            services.appointment_check_in(appointment=appointment, acting_user=user)
            messages.success(request, f"{what} : arrivée notée.")
        elif action == DayAction.REVOKE:
            services.appointment_cancel(appointment=appointment, by_caf=True, acting_user=user)
            messages.success(request, f"{what} annulé par la Caf.")
        else:
            services.appointment_mark(appointment=appointment, status=action, acting_user=user)
            label = AppointmentStatus(action).label.lower()
            messages.success(request, f"{what} noté : {label}.")
        return None
    ticket = selectors.site_ticket(site, request.POST.get("id", ""))
    if ticket is None:
        raise Http404
    label = ticket.label
    if action == DayAction.SERVE:
        services.ticket_serve(ticket=ticket, acting_user=user)
        done = "entretien commencé"
    elif action == DayAction.TRANSFER:
        moved = services.ticket_transfer(
            ticket=ticket, queue=request.POST.get("queue", ""), acting_user=user
        )
        done = (
            f"transféré à la file {moved.get_queue_display().lower()}, "
            f"son numéro devient {moved.label}"
        )
    elif action == DayAction.SEND_BACK:
        services.ticket_send_back(ticket=ticket, acting_user=user)
        done = "renvoyé en file d'attente"
    elif action == DayAction.TICKET_NO_SHOW:
        services.ticket_no_show(ticket=ticket, acting_user=user)
        done = "noté absent ou parti"
    elif action == DayAction.CLOSE:
        closed = services.ticket_close(
            ticket=ticket, outcome=request.POST.get("outcome", ""), acting_user=user
        )
        done = f"visite close ({closed.get_outcome_display().lower()})"
    else:
        raise ValidationError("Action inconnue.")
    messages.success(request, f"Ticket {label} : {done}.")
    return None


@require_GET
@requires(perms.can_serve_reception)
def calls(request, slug):
    """The waiting room's screen: the tickets called, the newest first; no household shown."""
    site = selectors.site_by_slug(slug)
    if site is None:
        raise Http404
    now = clock.now()
    return render(
        request,
        "reception/calls.html",
        {
            "site": site,
            "now": now,
            "called": selectors.calls_display(site, now.date()),
            "board": selectors.queue_board(site, now),
        },
    )


@require_http_methods(["GET", "POST"])
@requires(perms.can_book_appointment)
def book(request):
    """Agent booking for a household: search slots (GET), book one (POST)."""
    if request.method == "POST":
        form = BookForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                appointment = services.appointment_book(
                    household=household_by_number(data["household"]),
                    appointment_type=_known(
                        selectors.appointment_type_by_code(data["type"]), "Motif"
                    ),
                    site=_known(selectors.site_by_slug(data["site"]), "Lieu"),
                    starts_at=data["starts_at"],
                    agent_id=data["agent"],
                    accessibility_need=data["need"],
                    contact_phone=data["contact_phone"],
                    contact_email=data["contact_email"],
                    booked_via=BookedVia.AGENT,
                    acting_user=request.user,
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    f"Rendez-vous du {day_and_time(appointment.starts_at)} réservé pour le "
                    f"foyer {appointment.household.number} ({appointment.site.name}).",
                )
                return redirect("reception:book")
        else:
            messages.error(request, "Réservation incomplète : reprenez la recherche.")
    household = request.GET.get("household", "")
    if request.method == "GET" and "starts_at" in request.GET:
        return _book_confirm(request, household)
    search = SlotSearchForm(request.GET or None)
    return render(
        request,
        "reception/book.html",
        {
            "search": search,
            "grid": selectors.search_grid(search.search()),
            "later": search.later(),
            "household": household,
            "pick_url": reverse("reception:book"),
            "pick_extra": urlencode({"household": household}),
        },
        status=400 if request.method == "POST" else 200,
    )


def _book_confirm(request, household: str):
    """The chosen slot, the household and its contact details, one button (POSTs to `book`)."""
    form = BookForm(request.GET)
    choice = None
    try:
        choice = form.choice()
    except ValidationError as error:
        form.add_error(None, error)
    return render(
        request,
        "reception/book_confirm.html",
        {
            "form": form,
            "choice": choice,
            "household": household,
            "email": "",
            "back": f"{reverse('reception:book')}?{urlencode({'household': household})}",
        },
        status=200 if choice else 400,
    )


def _known(found, what: str):
    """A choice sent back by the booking form that no longer (or never) exists."""
    if found is None:
        raise ValidationError(f"{what} inconnu : reprenez la recherche.")
    return found


@require_http_methods(["GET", "POST"])
@requires(perms.can_serve_reception)
def unmarked(request):
    if request.method == "POST":
        appointment = selectors.agent_appointment(request.user, request.POST.get("id", ""))
        if appointment is None:
            raise Http404
        try:
            services.appointment_mark(
                appointment=appointment,
                status=request.POST.get("status", ""),
                acting_user=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("reception:unmarked")
    appointments = worklist(
        request,
        selectors.unmarked_past_appointments(request.user),
        form_class=UnmarkedWorklistForm,
        slug="a-renseigner",
        title="Rendez-vous commencés sans statut",
        caption="Mes rendez-vous passés à renseigner (reçu ou absent)",
        columns=UNMARKED_COLUMNS,
        row_template="reception/_unmarked_row.html",
        empty="Tout est renseigné.",
        extra={"AppointmentStatus": AppointmentStatus},
    )
    if appointments.rows:
        display_record(
            actor=request.user,
            page="Mes rendez-vous à renseigner",
            households=[a.household.number for a in appointments.rows],
        )
    return render(request, "reception/unmarked.html", {"worklist": appointments})


UNMARKED_COLUMNS = [
    Column("Date", sort="date"),
    Column("Motif"),
    Column("Canal"),
    Column("Foyer"),
    Column("Statut"),
]


@public  # for the provider's server, authenticated by its bearer token, not a session
@csrf_exempt
@require_POST
def sms_receipts(request):
    """The SMS provider's delivery reports (webhook)."""
    payload = provider_payload(request)
    if isinstance(payload, HttpResponse):
        return payload
    return JsonResponse({"mis_a_jour": delivery_receipts_record(payload)})
