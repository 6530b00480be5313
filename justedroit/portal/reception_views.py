"""Allocataire pages for appointments (Mon dossier): book without JavaScript, see, cancel.
They compose the reception domain's services; no business rule here."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from justedroit.core.web import requires
from justedroit.reception import perms, selectors, services
from justedroit.reception.forms import BookForm, SlotSearchForm
from justedroit.reception.models import AppointmentStatus, BookedVia, Channel


def _household(request):
    account = getattr(request.user, "household_account", None)
    return account.household if account else None


@require_http_methods(["GET", "POST"])
@requires(perms.can_book_own_appointment)
def reception_book(request):
    household = _household(request)
    types = selectors.appointment_types(for_claimant=True)
    if request.method == "POST" and household is not None:
        form = BookForm(request.POST)
        appointment_type = selectors.appointment_type_by_code(
            request.POST.get("type", ""), among=types
        )
        site = selectors.site_by_slug(request.POST.get("site", ""))
        if form.is_valid() and appointment_type is not None and site is not None:
            data = form.cleaned_data
            try:
                services.appointment_book(
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
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, "Votre rendez-vous est réservé.")
                return redirect("portal:reception_appointments")
        else:
            messages.error(request, "Réservation incomplète : choisissez à nouveau un créneau.")
    search = SlotSearchForm(request.GET or None, types=types)
    slots = None
    if household is not None and search.is_valid():
        start = search.start()
        slots = selectors.free_slots(
            appointment_type=search.cleaned_data["type"],
            site=search.cleaned_data["site"],
            first_day=start,
            last_day=start + dt.timedelta(days=13),
            accessibility_need=search.cleaned_data["need"],
            limit=60,
        )
    return render(
        request,
        "portal/reception_book.html",
        {"household": household, "search": search, "slots": slots, "types": types},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@requires(perms.can_book_own_appointment)
def reception_appointments(request):
    household = _household(request)
    if request.method == "POST" and household is not None:
        appointment = selectors.household_appointment(household, request.POST.get("id", ""))
        if appointment is None:
            raise Http404
        try:
            services.appointment_cancel(
                appointment=appointment, by_caf=False, acting_user=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Votre rendez-vous est annulé.")
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
