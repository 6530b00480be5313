"""Allocataire and partner pages for appointments, without JavaScript: free slots grouped by day
(each a link), then one confirmation step with the contact details, then a summary with the
appointment's .ics; the allocataire also moves and cancels. Partners book for an allocataire who
gave their organisation a mandate in force. They compose the reception (and outreach) services; no
business rule here."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from justedroit.core.french import day_and_time
from justedroit.core.web import requires, submit_action
from justedroit.outreach import selectors as outreach_selectors
from justedroit.outreach import services as outreach
from justedroit.reception import perms, selectors, services
from justedroit.reception.forms import UNKNOWN_SLOT, BookForm, SlotSearchForm
from justedroit.reception.models import AppointmentStatus, BookedVia, Channel
from justedroit.reception.notifications import appointment_ics


def _household(request):
    account = getattr(request.user, "household_account", None)
    return account.household if account else None


def _confirm(request, *, types, book, template: str, extra: dict):
    """The confirmation step shared by the allocataire and the partner: GET shows the chosen slot
    and the contact fields; POST books (`book(form, type, site)`) and returns its redirect."""
    form = BookForm(request.POST if request.method == "POST" else request.GET)
    valid, choice = form.is_valid(), None
    try:
        choice = form.choice(types)  # shown again when only a contact detail is wrong
        if valid and request.method == "POST":
            return book(form, *choice)
    except ValidationError as error:
        form.add_error(None, error)
    return render(
        request,
        template,
        {"form": form, "choice": choice, **extra},
        status=400 if form.errors else 200,
    )


# ---- the allocataire -------------------------------------------------------------------------


@require_GET
@requires(perms.can_book_own_appointment)
def reception_book(request):
    """Step 1: the motif, the place, the day, the need; the free slots by day."""
    household = _household(request)
    types = selectors.appointment_types(for_claimant=True)
    search = SlotSearchForm(request.GET or None, types=types)
    return render(
        request,
        "portal/reception_book.html",
        {
            "household": household,
            "search": search,
            "grid": selectors.search_grid(search.search()) if household is not None else None,
            "later": search.later(),
            "pick_url": reverse("portal:reception_confirm"),
        },
    )


@require_http_methods(["GET", "POST"])
@requires(perms.can_book_own_appointment)
def reception_confirm(request):
    """Step 2: the chosen slot, the contact details for the confirmation and the reminder."""
    household = _household(request)
    if household is None:
        raise Http404

    def book(form, appointment_type, site):
        data = form.cleaned_data
        appointment = services.appointment_book(
            household=household,
            appointment_type=appointment_type,
            site=site,
            starts_at=data["starts_at"],
            accessibility_need=data["need"],
            contact_phone=data["contact_phone"],
            contact_email=data["contact_email"],
            booked_via=BookedVia.CLAIMANT,
            acting_user=request.user,
        )
        messages.success(
            request,
            f"Rendez-vous du {day_and_time(appointment.starts_at)} confirmé "
            f"({appointment.type.label.lower()}, {appointment.site.name}).",
        )
        return redirect("portal:reception_appointment", appointment.pk)

    return _confirm(
        request,
        types=selectors.appointment_types(for_claimant=True),
        book=book,
        template="portal/reception_confirm.html",
        extra={"back": reverse("portal:reception_book"), "email": request.user.email},
    )


def _mine(request, pk):
    household = _household(request)
    appointment = selectors.household_appointment(household, pk) if household else None
    if appointment is None:
        raise Http404
    return appointment


@require_GET
@requires(perms.can_book_own_appointment)
def reception_appointment(request, pk):
    """Step 3: the summary (where, when, what to bring), the .ics, move or cancel."""
    return render(
        request,
        "portal/reception_appointment.html",
        {"a": _mine(request, pk), "Channel": Channel, "AppointmentStatus": AppointmentStatus},
    )


@require_GET
@requires(perms.can_book_own_appointment)
def reception_ics(request, pk):
    response = HttpResponse(appointment_ics(_mine(request, pk)), content_type="text/calendar")
    response["Content-Disposition"] = 'attachment; filename="rendez-vous-caf.ics"'
    return response


@require_http_methods(["GET", "POST"])
@requires(perms.can_book_own_appointment)
def reception_move(request, pk):
    """Another slot of the same motif, place and need: the grid, then a confirmation (GET with
    the chosen start), then the move (POST)."""
    appointment = _mine(request, pk)
    if request.method == "POST":
        form = BookForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(UNKNOWN_SLOT)
            moved = services.appointment_move(
                appointment=appointment,
                starts_at=form.cleaned_data["starts_at"],
                by_caf=False,
                acting_user=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("portal:reception_move", pk)
        messages.success(
            request,
            f"Votre rendez-vous est déplacé au {day_and_time(moved.starts_at)}.",
        )
        return redirect("portal:reception_appointment", pk)
    query = {
        "type": appointment.type.code,
        "site": appointment.site.slug,
        "need": appointment.accessibility_need,
        "first_day": request.GET.get("first_day", ""),
    }
    search = SlotSearchForm(query)
    chosen = BookForm(request.GET) if "starts_at" in request.GET else None
    return render(
        request,
        "portal/reception_move.html",
        {
            "a": appointment,
            "search": search,
            "grid": selectors.search_grid(search.search(), exclude_appointment_id=appointment.pk),
            "later": search.later(),
            "chosen": chosen if chosen is not None and chosen.is_valid() else None,
            "pick_url": reverse("portal:reception_move", args=[pk]),
        },
    )


@require_http_methods(["GET", "POST"])
@requires(perms.can_book_own_appointment)
def reception_appointments(request):
    household = _household(request)
    if request.method == "POST" and household is not None:
        appointment = selectors.household_appointment(household, request.POST.get("id", ""))
        if appointment is None:
            raise Http404
        submit_action(
            request,
            lambda: services.appointment_cancel(
                appointment=appointment, by_caf=False, acting_user=request.user
            ),
            said=lambda _: (
                f"Votre rendez-vous du {day_and_time(appointment.starts_at)} est annulé."
            ),
        )
        return redirect("portal:reception_appointments")
    appointments = selectors.household_appointments(household) if household else []
    return render(
        request,
        "portal/reception_appointments.html",
        {
            "household": household,
            "appointments": appointments,
            "Channel": Channel,
            "AppointmentStatus": AppointmentStatus,
        },
    )


# ---- the relay partner -----------------------------------------------------------------------


def _mandated(request):
    """The partner organisation and the household numbered in the query, if it gave that
    organisation a mandate in force (else None: the same answer as for an unknown number)."""
    partner = outreach_selectors.partner_of(request.user)
    number = (request.POST.get("numero") or request.GET.get("numero") or "").strip()
    household = (
        outreach_selectors.mandated_household(partner=partner, number=number)
        if partner is not None and number
        else None
    )
    return partner, number, household


@require_GET
@requires(perms.can_book_for_claimant)
def partner_book(request):
    partner, number, household = _mandated(request)
    types = selectors.appointment_types(for_partner=True)
    search = SlotSearchForm(request.GET if "type" in request.GET else None, types=types)
    if number and household is None:
        messages.error(request, outreach.NOT_FOUND_OR_NO_MANDATE)
    return render(
        request,
        "portal/partner_book.html",
        {
            "partner": partner,
            "number": number,
            "household": household,
            "search": search,
            "grid": selectors.search_grid(search.search()) if household is not None else None,
            "later": search.later(),
            "pick_url": reverse("portal:partner_confirm"),
            "pick_extra": urlencode({"numero": number}),
        },
        status=404 if number and household is None else 200,
    )


@require_http_methods(["GET", "POST"])
@requires(perms.can_book_for_claimant)
def partner_confirm(request):
    partner, number, household = _mandated(request)
    if household is None:
        messages.error(request, outreach.NOT_FOUND_OR_NO_MANDATE)
        return redirect("portal:partner_book")

    def book(form, appointment_type, site):
        data = form.cleaned_data
        appointment = outreach.partner_appointment_book(
            partner=partner,
            household_number=number,
            appointment_type=appointment_type,
            site=site,
            starts_at=data["starts_at"],
            accessibility_need=data["need"],
            contact_phone=data["contact_phone"],
            contact_email=data["contact_email"],
            acting_user=request.user,
        )
        messages.success(
            request,
            f"Rendez-vous du {day_and_time(appointment.starts_at)} réservé pour le foyer "
            f"{number} ({appointment.site.name}).",
        )
        return redirect(f"{reverse('portal:partner_book')}?{urlencode({'numero': number})}")

    return _confirm(
        request,
        types=selectors.appointment_types(for_partner=True),
        book=book,
        template="portal/partner_confirm.html",
        extra={"number": number, "partner": partner, "email": ""},
    )
