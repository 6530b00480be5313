from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from justedroit.core.timeline import CHANNELS, household_timeline
from justedroit.core.web import requires
from justedroit.registry import perms, selectors, services
from justedroit.registry.forms import FactForm, SearchForm
from justedroit.registry.models import Person


@require_GET
@requires(perms.can_search_households)
def household_search(request):
    form = SearchForm(request.GET or None)
    results = None
    if form.is_valid():
        results = list(selectors.households_search(form.cleaned_data["q"]))
        services.households_search_audited(
            query=form.cleaned_data["q"],
            numbers=[h.number for h in results],
            acting_user=request.user,
        )
    return render(request, "registry/search.html", {"form": form, "results": results})


@require_http_methods(["GET", "POST"])
@requires(perms.can_view_household)
def household_detail(request, number):
    household = selectors.household_by_number(number)
    if household is None:
        raise Http404
    memberships = list(selectors.members(household))
    fact_form = None
    if perms.can_record_fact(request.user):
        fact_form = FactForm(request.POST or None, members=memberships)
    if request.method == "POST":
        if fact_form is None:
            return render(request, "403.html", status=403)
        if fact_form.is_valid() and _record_fact(request, household, fact_form):
            return redirect("registry:household_detail", number=number)
    services.household_consult(
        household=household, acting_user=request.user, reason=request.GET.get("motif", "")
    )
    return render(
        request,
        "registry/household.html",
        {
            "household": household,
            "memberships": memberships,
            "claims": selectors.claims(household),
            "facts": selectors.fact_history(household),
            "viewers": selectors.viewers(household),
            "timeline": household_timeline(household.id, channel=request.GET.get("canal", "")),
            "timeline_channels": CHANNELS,
            "timeline_channel": request.GET.get("canal", ""),
            "fact_form": fact_form,
        },
        status=400 if request.method == "POST" else 200,
    )


def _record_fact(request, household, form) -> bool:
    data = form.cleaned_data
    person = Person.objects.filter(pk=data["person"]).first() if data["person"] else None
    try:
        services.fact_record(
            household=household,
            person=person,
            kind=data["kind"],
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
            amount=data["amount"],
            code=data["code"],
            source=data["source"],
            reason=data["reason"],
            acting_user=request.user,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return False
    messages.success(request, "Le fait a été enregistré.")
    return True
