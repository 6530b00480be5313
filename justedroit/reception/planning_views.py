"""Managers' planning pages: opening slots (and a cancelled occurrence), agents' absences, site
closures, permanences, public opening hours of the sites and permanences (the partners' API tokens
have their page in core, linked from here). Each form
checks its fields, the service checks the whole; a refusal is a French message next to the form,
status 400, nothing written."""

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from justedroit.core import clock
from justedroit.core import selectors as core_selectors
from justedroit.core.web import requires, submit_form
from justedroit.reception import perms, selectors, services
from justedroit.reception.forms import (
    WEEKDAYS,
    AbsenceForm,
    ClosureForm,
    OpeningHoursForm,
    OpeningSlotForm,
    PermanenceForm,
    SlotCancelForm,
)


def _page(request, template: str, context: dict, *, failed: bool):
    return render(
        request,
        template,
        {"weekdays": dict(WEEKDAYS), **context},
        status=400 if failed else 200,
    )


@require_GET
@requires(perms.can_plan_reception)
def planning(request):
    today = clock.today()
    return render(
        request,
        "reception/planning.html",
        {
            "slots": selectors.opening_slots(on=today).count(),
            "absences": selectors.absences(on=today).count(),
            "closures": selectors.closures(on=today).count(),
            "sites": selectors.sites().count(),
            "permanences": selectors.permanences().count(),
            "tokens": core_selectors.api_tokens(include_inactive=False).count(),
        },
    )


@require_http_methods(["GET", "POST"])
@requires(perms.can_plan_reception)
def planning_slots(request):
    agents = selectors.slot_holders()
    form = OpeningSlotForm(agents=agents, initial={"every_weeks": 1, "first_day": clock.today()})
    cancel = SlotCancelForm()
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            cancel = SlotCancelForm(request.POST)

            def write(data):
                slot = selectors.opening_slot(data["slot"])
                if slot is None:
                    raise ValidationError("Plage d'ouverture inconnue.")
                services.slot_override_set(
                    opening_slot=slot,
                    day=data["day"],
                    starts=None,
                    ends=None,
                    acting_user=request.user,
                )

            done = submit_form(
                request,
                cancel,
                write,
                said=lambda _: f"Occurrence du {cancel.cleaned_data['day']:%d/%m/%Y} annulée.",
                then=lambda _: redirect("reception:planning_slots"),
            )
        else:
            form = OpeningSlotForm(request.POST, agents=agents)
            done = submit_form(
                request,
                form,
                lambda data: services.opening_slot_create(
                    **{k: v for k, v in data.items() if k != "types"},
                    types=list(data["types"]),
                    acting_user=request.user,
                ),
                said=lambda _: _slot_created(form.cleaned_data),
                then=lambda _: redirect("reception:planning_slots"),
            )
        if done:
            return done
    return _page(
        request,
        "reception/planning_slots.html",
        {"form": form, "cancel": cancel, "slots": selectors.opening_slots(on=clock.today())},
        failed=request.method == "POST",
    )


def _slot_created(data) -> str:
    return (
        f"Plage d'ouverture de {data['agent'].get_full_name() or data['agent']} "
        f"créée à {data['site'].name}, le {dict(WEEKDAYS)[data['weekday']]} de "
        f"{data['starts']:%H:%M} à {data['ends']:%H:%M} : ses créneaux sont réservables."
    )


def _one_form_page(request, form, write, said, *, template: str, context: dict, then: str = ""):
    """A planning page with one form: written, it says what (`said` of the cleaned data) and
    goes back to the page (or `then`); refused, the page again with the errors, status 400."""
    if done := submit_form(
        request,
        form,
        write,
        said=lambda _: said(form.cleaned_data),
        then=lambda _: redirect(then or request.path),
    ):
        return done
    return _page(request, template, {"form": form, **context}, failed=request.method == "POST")


def _days(data) -> str:
    first, last = data["first_day"], data["last_day"]
    return f"le {first:%d/%m/%Y}" if first == last else f"du {first:%d/%m/%Y} au {last:%d/%m/%Y}"


@require_http_methods(["GET", "POST"])
@requires(perms.can_plan_reception)
def planning_absences(request):
    return _one_form_page(
        request,
        AbsenceForm(request.POST or None, agents=selectors.slot_holders()),
        lambda data: services.absence_create(**data, acting_user=request.user),
        lambda data: (
            f"Absence de {data['agent'].get_full_name() or data['agent'].username} "
            f"{_days(data)} enregistrée : ses créneaux ne sont plus proposés."
        ),
        template="reception/planning_absences.html",
        context={"absences": selectors.absences(on=clock.today())},
    )


@require_http_methods(["GET", "POST"])
@requires(perms.can_plan_reception)
def planning_closures(request):
    return _one_form_page(
        request,
        ClosureForm(request.POST or None),
        lambda data: services.closure_create(**data, acting_user=request.user),
        lambda data: (
            f"Fermeture de {data['site'].name} {_days(data)} enregistrée : aucun "
            "créneau n'est proposé ces jours-là."
        ),
        template="reception/planning_closures.html",
        context={"closures": selectors.closures(on=clock.today())},
    )


@require_http_methods(["GET", "POST"])
@requires(perms.can_plan_reception)
def planning_hours(request):
    """Public opening hours of the Caf's sites and of the permanences held elsewhere."""
    return _one_form_page(
        request,
        OpeningHoursForm(request.POST or None),
        lambda data: services.opening_hours_add(**data, acting_user=request.user),
        lambda data: (
            f"{data['site'].name} ouvre désormais le {dict(WEEKDAYS)[data['weekday']]} "
            f"de {data['opens']:%H:%M} à {data['closes']:%H:%M}."
        ),
        template="reception/planning_hours.html",
        context={"sites": selectors.sites_with_hours()},
    )


@require_http_methods(["GET", "POST"])
@requires(perms.can_plan_reception)
def planning_permanences(request):
    """The permanences held in partners' premises: open one, then give it its hours."""
    return _one_form_page(
        request,
        PermanenceForm(request.POST or None),
        lambda data: services.permanence_open(**data, acting_user=request.user),
        lambda data: (
            f"{data['name']} ouverte à {data['commune'].name} : ajoutez ses jours et "
            "horaires ci-dessous."
        ),
        template="reception/planning_permanences.html",
        context={"permanences": selectors.permanences()},
        then=reverse("reception:planning_hours"),
    )
