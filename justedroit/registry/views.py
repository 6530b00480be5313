from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from justedroit.core import clock
from justedroit.core.forms import ConsultationReasonForm
from justedroit.core.timeline import CHANNELS, household_timeline
from justedroit.core.web import (
    consultation_reason,
    remember_consultation_reason,
    requires,
    submit_form,
)
from justedroit.entitlements.perms import can_view_entitlements
from justedroit.registry import perms, selectors, services
from justedroit.registry.forms import FactForm, SearchForm


@never_cache
@require_http_methods(["GET", "POST"])
@requires(perms.can_search_households)
@sensitive_post_parameters("q", "birth_date")
def household_search(request):
    """Searched by POST, paging included: a NIR typed never reaches a URL, a proxy's log or the
    browser history. Each page of results is audited with the households it showed."""
    form = SearchForm(request.POST or None)
    results = None
    if form.is_valid():
        data = form.cleaned_data
        results = selectors.households_search_page(
            data["q"],
            data["birth_date"],
            page=data["page"] or 1,
            with_claims=perms.can_view_claims(request.user),
            on=clock.today(),
        )
        services.households_search_audited(
            query=data["q"],
            birth_date=data["birth_date"],
            numbers=[row.number for row in results.rows],
            found=results.count,
            page=results.page,
            acting_user=request.user,
        )
    return render(
        request,
        "registry/search.html",
        {
            "form": form,
            "results": results,
            "with_claims": perms.can_view_claims(request.user),
            "reason_form": ConsultationReasonForm(),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@require_http_methods(["GET", "POST"])
@requires(perms.can_view_household)
def consultation(request):
    """The agent says why they open a household; the reason goes with every page of it they read
    for the next hours of the session."""
    form = ConsultationReasonForm(
        request.POST or None, initial={"number": request.GET.get("numero", "")[:7]}
    )
    if form.is_valid():
        number = form.cleaned_data["number"]
        if selectors.household_by_number(number) is None:
            form.add_error("number", "Aucun foyer ne porte ce numéro.")
        else:
            remember_consultation_reason(request, number, form.reason_text())
            return redirect("registry:household_detail", number=number)
    return render(
        request,
        "registry/consultation.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@requires(perms.can_view_household, post=perms.can_record_fact)
def household_detail(request, number):
    household = selectors.household_by_number(number)
    if household is None:
        raise Http404
    user = request.user
    fact_form = None
    if perms.can_record_fact(user):
        fact_form = FactForm(request.POST or None, members=selectors.members(household))
        if done := submit_form(
            request,
            fact_form,
            lambda data: _record_fact(request, household, data),
            said=_fact_recorded,
            then=lambda _: redirect("registry:household_detail", number=number),
        ):
            return done
    reason = consultation_reason(request, number)
    services.household_consult(
        household=household, acting_user=user, reason=reason, page="Dossier du foyer"
    )
    channel = request.GET.get("canal", "")
    channel = channel if channel in CHANNELS else ""
    can_see_contacts = perms.can_view_household_contacts(user)
    return render(
        request,
        "registry/household.html",
        {
            "household": household,
            "members": selectors.member_rows(household, full_nir=perms.can_view_full_nir(user)),
            "claims": selectors.claims(household) if perms.can_view_claims(user) else None,
            "facts": (
                selectors.fact_history(household)
                if perms.can_view_household_resources(user)
                else None
            ),
            "can_view_rights": can_view_entitlements(user),
            "viewers": selectors.viewers(household),
            "timeline": household_timeline(household.id, channel=channel)
            if can_see_contacts
            else None,
            "timeline_channels": CHANNELS,
            "timeline_channel": channel,
            "fact_form": fact_form,
            "reason": reason,
            "reason_form": ConsultationReasonForm(initial={"number": number}),
        },
        status=400 if request.method == "POST" else 200,
    )


def _record_fact(request, household, data):
    return services.fact_record(
        household=household,
        person=selectors.household_member(household, data["person"]) if data["person"] else None,
        kind=data["kind"],
        valid_from=data["valid_from"],
        valid_until=data["valid_until"],
        amount=data["amount"],
        code=data["code"],
        source=data["source"],
        reason=data["reason"],
        acting_user=request.user,
    )


def _fact_recorded(fact) -> str:
    whom = str(fact.person) if fact.person else f"le foyer {fact.household.number}"
    return (
        f"Fait « {fact.get_kind_display()} » enregistré pour {whom}, "
        f"à partir du {fact.valid_from:%d/%m/%Y}."
    )
